import assert from 'node:assert/strict';
import type { LoggerService } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { VirtualTimers } from '../../test/fakes/virtual-timers.js';
import { backoffDelayMs } from './backoff.js';
import { BatchSender } from './batch-sender.js';
import { DiskOutbox } from './disk-outbox.js';
import { ServerUnreachable, type LinkRequest, type LinkResponse, type LinkTransport } from './server-client.js';

interface Sent {
  at: number;
  path: string;
  body: { results: { id: number }[]; outbox: { queued: number; dropped: number } };
}

/** The server as the sender sees it: answers chosen by the test, every request recorded. */
class ScriptedServer implements LinkTransport {
  readonly sent: Sent[] = [];
  answer: (body: Sent['body']) => LinkResponse | Error = () => json(200, { accepted: 1 });

  constructor(private readonly timers: VirtualTimers) {}

  async request(_method: string, path: string, request: LinkRequest = {}): Promise<LinkResponse> {
    const body = JSON.parse(request.json as string) as Sent['body'];
    this.sent.push({ at: this.timers.now(), path, body });
    const answer = this.answer(body);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  get items(): number[] {
    return this.sent.flatMap((request) => request.body.results.map((item) => item.id));
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): LinkResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, text: JSON.stringify(body), json: body };
}

const refused = () => new ServerUnreachable('connection refused', 'ECONNREFUSED', false);

function capturingLogger(): LoggerService & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: unknown) => lines.push(`${level} ${String(message)}`);
  return { lines, log: push('info'), warn: push('warn'), error: push('error'), debug: push('debug'), verbose: push('debug') };
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function harness(options: { maxItems?: number; refusedAttempts?: number } = {}) {
  const timers = new VirtualTimers();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-sender-'));
  dirs.push(dir);
  const outbox = DiskOutbox.open({ dir, maxBytes: 8 * 1024 * 1024, maxAgeMs: 24 * 3_600_000, now: timers.now, syncIntervalMs: 0 });
  const server = new ScriptedServer(timers);
  const logger = capturingLogger();
  const refusals: string[] = [];
  const sender = new BatchSender({
    transport: server,
    outbox,
    path: '/api/poller/results',
    itemsKey: 'results',
    noun: 'results',
    logger,
    timers,
    random: () => 0.5,
    onTokenRefused: (message) => refusals.push(message),
    ...options,
  });
  let next = 1;
  const enqueue = (amount: number) => {
    for (let index = 0; index < amount; index++) sender.enqueue({ id: next++ });
  };
  return { timers, outbox, server, logger, sender, enqueue, refusals };
}

describe('BatchSender', () => {
  it('sends a batch 5 s after the first item, or at once when 500 are waiting', async () => {
    const { timers, server, sender, enqueue } = harness();
    sender.start();
    const start = timers.now();
    enqueue(3);
    await timers.advance(4999);
    assert.equal(server.sent.length, 0, 'waits for the batch window');
    await timers.advance(1);
    assert.deepEqual(
      server.sent.map((request) => [request.at - start, request.path, request.body.results.length]),
      [[5000, '/api/poller/results', 3]],
    );
    enqueue(500);
    await timers.advance(0);
    assert.equal(server.sent.length, 2, '500 waiting: sent without waiting');
    assert.equal(server.sent[1]!.body.results.length, 500);
    assert.deepEqual(
      server.items,
      Array.from({ length: 503 }, (_, index) => index + 1),
      'in order, each once',
    );
  });

  it('reports the outbox figures with each batch', async () => {
    const { timers, server, sender, enqueue, outbox } = harness();
    sender.start();
    server.answer = () => refused();
    enqueue(700);
    await timers.advance(0);
    server.answer = () => json(200, {});
    await timers.advance(60_000);
    assert.deepEqual(
      server.sent.slice(-2).map((request) => request.body.outbox),
      [
        { queued: 200, dropped: 0 },
        { queued: 0, dropped: 0 },
      ],
    );
    assert.equal(outbox.queued, 0);
  });

  it('keeps everything while the server is unreachable, backs off with jitter, and sends the backlog oldest first when it is back', async () => {
    const { timers, server, sender, enqueue, logger } = harness();
    sender.start();
    server.answer = () => refused();
    const start = timers.now();
    enqueue(1);
    await timers.advance(5000);
    // Checks go on while the server is away: 1,240 results in 10 minutes.
    for (let minute = 0; minute < 10; minute++) {
      enqueue(124);
      await timers.advance(60_000);
    }
    const attempts = server.sent.map((request) => request.at - start);
    const gaps = attempts.slice(1).map((at, index) => at - attempts[index]!);
    assert.deepEqual(
      gaps.slice(0, 6),
      [1, 2, 3, 4, 5, 6].map((failures) => backoffDelayMs(failures, () => 0.5)),
      'doubling waits',
    );
    assert.ok(
      gaps.every((gap) => gap <= 60_000),
      'never more than a minute apart',
    );
    assert.ok(
      logger.lines.some((line) => line === 'warn server unreachable (connection refused), 1 result queued; trying again with backoff'),
      logger.lines.join('\n'),
    );
    assert.ok(
      logger.lines.some((line) =>
        /^warn server still unreachable after \d+ min.*\(connection refused\), [\d,]+ results queued$/.test(line),
      ),
    );

    server.answer = () => json(200, {});
    server.sent.length = 0;
    await timers.advance(60_000);
    assert.deepEqual(
      server.items,
      Array.from({ length: 1241 }, (_, index) => index + 1),
      'every result once, oldest first',
    );
    assert.ok(server.sent.every((request) => request.body.results.length <= 500));
    assert.ok(
      logger.lines.some((line) => /^info server back after 10 min \d+ s, sending 1,241 queued results$/.test(line)),
      logger.lines.join('\n'),
    );
    assert.ok(logger.lines.some((line) => /^info sent 1,241 queued results in \d+ s; caught up$/.test(line)));
    const requests = server.sent.length;
    enqueue(3);
    await timers.advance(4000);
    assert.equal(server.sent.length, requests, 'caught up: new results wait for the batch window again');
    await timers.advance(1000);
    assert.equal(server.sent.length, requests + 1);
  });

  it('treats 5xx, 429 and 404 as the server failing: kept and retried; Retry-After is honoured', async () => {
    const { timers, server, sender, enqueue, outbox, logger } = harness();
    sender.start();
    server.answer = () => json(503, { error: 'unavailable', message: 'starting up' });
    enqueue(2);
    await timers.advance(5000);
    assert.ok(logger.lines.includes('warn server failing (HTTP 503: starting up), 2 results queued; trying again with backoff'));
    server.answer = () => json(429, { error: 'too_many_requests', message: 'slow down' }, { 'retry-after': '30' });
    await timers.advance(1000);
    const at = server.sent.length;
    await timers.advance(29_000);
    assert.equal(server.sent.length, at, 'nothing before Retry-After has passed');
    server.answer = () => json(404, { error: 'not_found', message: 'no route' });
    await timers.advance(1000);
    assert.equal(outbox.queued, 2);
    server.answer = () => json(200, {});
    await timers.advance(120_000);
    assert.equal(outbox.queued, 0);
    assert.deepEqual(server.items.slice(-2), [1, 2]);
  });

  it('stops on 401/403 and says the token is wrong, keeping the results on disk', async () => {
    const { timers, server, sender, enqueue, outbox, logger, refusals } = harness();
    sender.start();
    server.answer = () =>
      json(401, { error: 'unauthorized', message: 'Send a valid, unexpired token as "Authorization: Bearer <token>".' });
    enqueue(3);
    await timers.advance(5000);
    enqueue(3);
    await timers.advance(600_000);
    assert.equal(server.sent.length, 1, 'not retried');
    assert.equal(sender.state, 'refused');
    assert.equal(outbox.queued, 6);
    assert.equal(refusals.length, 1);
    assert.ok(
      logger.lines.some((line) => line.startsWith('error the server refused the token (HTTP 401') && line.includes('check "token"')),
    );
  });

  it('a batch the server refuses as a whole is tried three times, then dropped and counted', async () => {
    const { timers, server, sender, enqueue, outbox, logger } = harness();
    sender.start();
    server.answer = (body) =>
      body.results[0]!.id === 1 ? json(400, { error: 'validation_failed', message: 'results: must be a list' }) : json(200, {});
    enqueue(2);
    await timers.advance(5000);
    await timers.advance(60_000);
    assert.equal(server.sent.filter((request) => request.body.results[0]!.id === 1).length, 3);
    assert.equal(outbox.queued, 0);
    assert.equal(outbox.dropped, 2);
    assert.ok(
      logger.lines.some((line) =>
        line.startsWith('error the server refused a batch of 2 results 3 times (HTTP 400: results: must be a list)'),
      ),
    );
    enqueue(1);
    await timers.advance(5000);
    assert.deepEqual(server.sent.at(-1)!.body.outbox, { queued: 0, dropped: 2 }, 'the drop is reported to the server');
  });

  it('halves the batch when the server finds it too large (413)', async () => {
    const { timers, server, sender, enqueue } = harness();
    sender.start();
    server.answer = (body) => (body.results.length > 100 ? json(413, { error: 'payload_too_large', message: 'too large' }) : json(200, {}));
    enqueue(500);
    await timers.advance(1000);
    const sizes = server.sent.map((request) => request.body.results.length);
    assert.deepEqual(sizes.slice(0, 4), [500, 250, 125, 62]);
    assert.deepEqual(
      server.items.filter((_, index) => index >= 875),
      Array.from({ length: 500 }, (_, index) => index + 1),
    );
  });

  it('logs what the server rejected item by item, grouped by reason', async () => {
    const { timers, server, sender, enqueue, logger, outbox } = harness();
    sender.start();
    server.answer = () =>
      json(200, {
        accepted: 1,
        duplicates: 0,
        rejected: [
          { index: 1, reason: 'monitor 7 is not assigned to this poller' },
          { index: 2, reason: 'monitor 7 is not assigned to this poller' },
        ],
      });
    enqueue(3);
    await timers.advance(5000);
    assert.equal(outbox.queued, 0, 'acknowledged: resending would not change the answer');
    assert.ok(logger.lines.includes('warn the server rejected 2 of 3 results: monitor 7 is not assigned to this poller (2×)'));
  });

  it('after a restart sends what is left at once and says how much it was', async () => {
    const first = harness();
    first.server.answer = () => refused();
    first.sender.start();
    first.enqueue(42);
    await first.timers.advance(5000);
    await first.sender.stop();
    const outbox = DiskOutbox.open({
      dir: dirs.at(-1)!,
      maxBytes: 8 * 1024 * 1024,
      maxAgeMs: 24 * 3_600_000,
      now: first.timers.now,
      syncIntervalMs: 0,
    });
    const server = new ScriptedServer(first.timers);
    const logger = capturingLogger();
    const sender = new BatchSender({
      transport: server,
      outbox,
      path: '/x',
      itemsKey: 'results',
      noun: 'results',
      logger,
      timers: first.timers,
    });
    sender.start();
    await first.timers.advance(0);
    assert.equal(server.items.length, 42);
    assert.equal(logger.lines[0], 'info 42 results queued from before this start; sending them');
  });
});
