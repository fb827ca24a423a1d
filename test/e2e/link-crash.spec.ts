import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startProcess, type TestProcess } from '../support/processes.js';

const CHILD = fileURLToPath(new URL('../support/link-child.js', import.meta.url));

/**
 * The server's side of the bargain, as Pulse keeps it: an item is identified by its id, so one sent
 * twice is stored once (and counted as a duplicate). It fails some requests and answers some late, so
 * kills land before, during and after requests.
 */
class DedupingReceiver {
  readonly stored = new Set<number>();
  resent = 0;
  failing = false;
  private server!: http.Server;

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        if (this.failing || Math.random() < 0.05) {
          response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable","message":"try later"}');
          return;
        }
        const { results } = JSON.parse(body) as { results: { id: number }[] };
        const answer = () => {
          let accepted = 0;
          for (const { id } of results) {
            if (this.stored.has(id)) this.resent++;
            else {
              this.stored.add(id);
              accepted++;
            }
          }
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ accepted, duplicates: results.length - accepted, rejected: [] }));
        };
        setTimeout(answer, Math.random() < 0.3 ? Math.floor(Math.random() * 150) : 0);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const queuedIds = (child: TestProcess) => [...child.stdout.matchAll(/^queued (\d+)$/gm)].map((match) => Number(match[1]));

describe('the link outbox under kill -9', () => {
  const receiver = new DedupingReceiver();
  let dataDir: string;
  before(async () => {
    await receiver.start();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-link-crash-'));
  });
  after(async () => {
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no queued item and resends at most the batch in flight, however often it is killed', async () => {
    const BATCH = 50;
    const env = { ...process.env, LINK_SERVER: receiver.url, LINK_DATA_DIR: dataDir, LINK_FLUSH_MS: '50', LINK_BATCH: String(BATCH) };
    const promised: number[] = [];
    const rounds = 10;
    for (let round = 1; round <= rounds; round++) {
      // Round 4 and 5: the server is down, so the outbox fills and later replays across kills.
      receiver.failing = round === 4 || round === 5;
      const child = startProcess(process.execPath, [CHILD], {
        env: { ...env, LINK_FIRST: String(round * 1_000_000), LINK_EVERY_MS: '2' },
        label: `link child ${round}`,
      });
      await child.waitForOutput(/^queued \d+$/m);
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(Math.random() * 600)));
      await child.kill();
      promised.push(...queuedIds(child));
    }
    receiver.failing = false;
    const last = startProcess(process.execPath, [CHILD], {
      env: { ...env, LINK_FIRST: '99000000', LINK_COUNT: '0' },
      label: 'link child, last',
    });
    try {
      await last.waitForOutput(/^all sent$/m, 60_000);
    } finally {
      await last.stop();
    }
    console.log(`queued ${promised.length}, stored ${receiver.stored.size}, sent again ${receiver.resent}`);
    const lost = promised.filter((id) => !receiver.stored.has(id));
    assert.deepEqual(lost.slice(0, 10), [], `${lost.length} of ${promised.length} queued items never arrived`);
    assert.ok(promised.length > 1000, `${promised.length} items queued over ${rounds} kills`);
    assert.ok(receiver.resent <= rounds * BATCH, `${receiver.resent} items sent again; at most one batch per kill`);
  });
});
