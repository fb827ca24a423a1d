import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { waitUntil } from '../support/wait.js';

/** An alarm and a maintenance window whose globs a backtracking matcher needs minutes for on the names below. */
const CONFIG = '[[alarms]]\nname = "prod"\npattern = "*.*.*.*.*.prod"\n';
const WINDOW_GLOB = '*.*.*.*.*.*.prod';
/** Far more than a healthy server needs to answer /healthz; a frozen one misses it. */
const ANSWER_LIMIT_MS = 20_000;

/** Distinct service names of 125 dotted segments, matching neither glob: each one a worst case. */
function hostileDatagram(batch: number): { datagram: Buffer; names: string[] } {
  const names: string[] = [];
  let text = '';
  for (let index = 0; ; index++) {
    const name = `${'x.'.repeat(124)}q${batch}n${index}`;
    const line = `${name}.beat:1|c\n`;
    if (text.length + line.length > 65_507) break;
    names.push(name);
    text += line;
  }
  return { datagram: Buffer.from(text), names };
}

describe('hostile service names against globs with many "*" (issue 8, item 2)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-hostile-'));
  let server: PulseServer;
  let admin: string;
  const sent: string[] = [];

  before(async () => {
    server = await PulseServer.start({ dataDir, config: CONFIG });
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const healthz = () =>
    fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(ANSWER_LIMIT_MS) }).then((response) => response.status);
  const serviceNames = async () =>
    new Set(((await server.request('GET', '/api/services', { token: admin })).json.services as { name: string }[]).map((s) => s.name));

  it('keeps answering /healthz while full datagrams of such names arrive, and applies every beat', async () => {
    const window = await server.request('POST', '/api/maintenance', {
      token: admin,
      json: {
        name: 'prod upgrade',
        starts_at: new Date(Date.now() - 60_000).toISOString(),
        ends_at: new Date(Date.now() + 3_600_000).toISOString(),
        services: WINDOW_GLOB,
      },
    });
    assert.equal(window.status, 201, window.text);

    const socket = dgram.createSocket('udp4');
    const answers: number[] = [];
    try {
      for (let batch = 0; batch < 3; batch++) {
        const { datagram, names } = hostileDatagram(batch);
        assert.ok(datagram.length > 65_000 && datagram.length <= 65_507, `a full datagram: ${datagram.length} bytes`);
        await new Promise<void>((resolve, reject) =>
          socket.send(datagram, server.udpPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
        );
        sent.push(...names);
        // Right behind the datagram: a server busy matching it answers only when it is done.
        answers.push(await healthz(), await healthz());
      }
      await new Promise<void>((resolve, reject) =>
        socket.send('a.b.c.d.e.prod.beat:1|c\nsvc.one.two.three.four.five.prod.beat:1|c\n', server.udpPort, '127.0.0.1', (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    } finally {
      socket.close();
    }
    assert.deepEqual(
      answers,
      Array.from({ length: 6 }, () => 200),
      'every /healthz poll answered',
    );

    const names = await waitUntil('every beat applied', async () => {
      const present = await serviceNames();
      return present.has('svc.one.two.three.four.five.prod') && sent.every((name) => present.has(name)) ? present : null;
    });
    assert.equal(names.size, sent.length + 2);

    const prod = await server.request('GET', '/api/alarms/prod', { token: admin });
    assert.deepEqual(
      (prod.json.services as { name: string }[]).map((s) => s.name).sort(),
      ['a.b.c.d.e.prod', 'svc.one.two.three.four.five.prod'],
      'only the fitting names are in the alarm',
    );
    const states = await server.request('GET', '/api/services', { token: admin });
    const inMaintenance = (states.json.services as { name: string; state: string }[]).filter((s) => s.state === 'maintenance');
    assert.deepEqual(
      inMaintenance.map((s) => s.name),
      ['svc.one.two.three.four.five.prod'],
      'the window covers the name with six segments before "prod" only',
    );
  });

  it('starts again with those names stored, and answers at once', async () => {
    await server.stop();
    server = await PulseServer.start({ dataDir, config: CONFIG });
    assert.equal(await healthz(), 200);
    assert.equal((await serviceNames()).size, sent.length + 2, 'every service restored');
    const prod = await server.request('GET', '/api/alarms/prod', { token: admin });
    assert.equal(prod.json.services.length, 2);
  });
});
