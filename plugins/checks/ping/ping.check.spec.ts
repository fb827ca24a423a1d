import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { canUseNamespaces, guardTestRange } from '../../../test/support/netns.js';
import { FpingBatcher, parseFpingLine, pingTiming } from './fping-batcher.js';
import { judge, PingCheck } from './ping.check.js';
import { skipUnlessInstalled } from '../../../test/support/debian-peers.js';

const needsFping = { skip: skipUnlessInstalled('fping') };
const noNamespaces =
  (!canUseNamespaces && 'needs root to add the unreachable route for 198.18.0.0/15') || skipUnlessInstalled('ip', 'fping');

const logger = { debug() {}, info() {}, warn() {} };
const check = new PingCheck();
const run = (target: string, count = 3, timeoutMs = 5000) => check.run(target, { count }, createPluginContext({ timeoutMs, logger }));

describe('ping check', () => {
  it('is up with the average round trip when every echo comes back', needsFping, async () => {
    const result = await run('127.0.0.1');
    assert.equal(result.status, 'up');
    assert.match(result.message, /^0\/3 packets lost, avg [\d.]+ ms$/);
    assert.equal(result.details?.received, 3);
    assert.ok(typeof result.latencyMs === 'number' && result.latencyMs >= 0);
    assert.equal((await run('::1', 2)).status, 'up', 'IPv6 too');
  });

  it('pings many hosts at once and answers each caller', needsFping, async () => {
    const targets = Array.from({ length: 40 }, (_unused, index) => `127.0.0.${(index % 20) + 1}`);
    const results = await Promise.all(targets.map((target) => run(target, 1)));
    assert.deepEqual(new Set(results.map((result) => result.status)), new Set(['up']));
  });

  describe('unreachable hosts', { skip: noNamespaces }, () => {
    before(() => guardTestRange());

    it('is down with "3/3 packets lost" when nothing answers', async () => {
      const result = await run('198.18.255.77');
      assert.deepEqual(
        { status: result.status, message: result.message, latencyMs: result.latencyMs },
        { status: 'down', message: '3/3 packets lost', latencyMs: null },
      );
    });
  });

  it('says "no answer within" when the monitor timeout ends first', async () => {
    const cut = await check.run('127.0.0.1', { count: 3 }, { signal: AbortSignal.abort(), timeoutMs: 1000, logger });
    assert.deepEqual({ status: cut.status, message: cut.message }, { status: 'down', message: 'no answer within 1000 ms' });
  });

  it('says plainly when fping is missing', async () => {
    const missing = new FpingBatcher('/nonexistent/fping');
    const outcome = await missing.ping({ host: '127.0.0.1', count: 1, timeoutMs: 1000, signal: new AbortController().signal });
    assert.deepEqual(outcome, { ok: false, message: '/nonexistent/fping is not installed (apt-get install fping)' });
  });

  it('judges partial loss as a warning and total loss as down', () => {
    assert.deepEqual(pickJudged([0.5, null, 1.5]), { status: 'warning', message: '1/3 packets lost, avg 1 ms', latencyMs: 1 });
    assert.deepEqual(pickJudged([null, null]), { status: 'down', message: '2/2 packets lost', latencyMs: null });
    assert.deepEqual(pickJudged([2, 4]), { status: 'up', message: '0/2 packets lost, avg 3 ms', latencyMs: 3 });
  });

  it('reads fping lines and keeps its timing inside the monitor timeout', () => {
    assert.deepEqual(parseFpingLine('10.0.0.1    : 0.04 - 1.20'), { host: '10.0.0.1', outcome: { ok: true, rtts: [0.04, null, 1.2] } });
    assert.deepEqual(parseFpingLine('db.example.test: Name or service not known'), {
      host: 'db.example.test',
      outcome: { ok: false, message: 'host not found: db.example.test' },
    });
    assert.equal(parseFpingLine('ICMP Host Unreachable from 198.18.0.1 for ICMP Echo sent to 198.18.0.2'), null);
    for (const [count, timeoutMs] of [
      [3, 10_000],
      [3, 1000],
      [20, 2000],
      [1, 500],
    ] as const) {
      const { periodMs, replyTimeoutMs } = pingTiming(count, timeoutMs);
      assert.ok((count - 1) * periodMs + replyTimeoutMs <= Math.max(timeoutMs, 350), `count ${count}, timeout ${timeoutMs}`);
    }
  });

  it('checks targets before running', () => {
    for (const good of ['router.example.com', '10.0.0.1', '2001:db8::1', 'localhost']) assert.equal(check.validateTarget(good), null, good);
    for (const bad of ['', '-f /etc/passwd', 'host:80', 'http://x/', 'a b']) assert.equal(typeof check.validateTarget(bad), 'string', bad);
  });
});

function pickJudged(rtts: (number | null)[]) {
  const result = judge(rtts);
  return { status: result.status, message: result.message, latencyMs: result.latencyMs };
}
