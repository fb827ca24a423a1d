import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReportedResult } from './poller-result.js';

const NOW = Date.UTC(2026, 10, 22, 12);
const OLDEST = NOW - 30 * 86_400_000;
const parse = (item: unknown) => parseReportedResult(item, NOW, OLDEST);
const valid = { monitor_id: 7, status: 'down', latency_ms: null, message: 'connection refused', checked_at: '2026-11-22T11:59:55.123Z' };

describe('a reported result', () => {
  it('is read with its own checked_at (ISO 8601 or epoch ms)', () => {
    assert.deepEqual(parse(valid), {
      monitorId: 7,
      checkedAt: Date.parse('2026-11-22T11:59:55.123Z'),
      result: { status: 'down', latencyMs: null, message: 'connection refused' },
    });
    assert.deepEqual(parse({ ...valid, checked_at: NOW - 1000, details: { status_code: 503 } }), {
      monitorId: 7,
      checkedAt: NOW - 1000,
      result: { status: 'down', latencyMs: null, message: 'connection refused', details: { status_code: 503 } },
    });
  });

  it('is refused naming the field, in words', () => {
    const cases: [unknown, string][] = [
      [[1], 'must be a JSON object'],
      [{ ...valid, monitor_id: '7' }, 'monitor_id: must be a monitor id'],
      [{ ...valid, status: 'pending' }, 'status: must be "up", "down" or "warning"'],
      [{ ...valid, latency_ms: -1 }, 'latency_ms: must be a number of milliseconds or null'],
      [{ ...valid, message: 42 }, 'message: must be a string'],
      [{ ...valid, checked_at: 'yesterday' }, 'checked_at: must be an ISO 8601 time or epoch milliseconds'],
      [{ ...valid, checked_at: '2026-11-22T12:00:00' }, 'checked_at: must be an ISO 8601 time or epoch milliseconds'],
      [
        { ...valid, checked_at: NOW + 6 * 60_000 },
        "checked_at: 2026-11-22T12:06:00.000Z is ahead of the server's clock by more than 5 min; is the poller's clock right?",
      ],
      [{ ...valid, checked_at: OLDEST - 1 }, 'checked_at: 2026-10-23T11:59:59.999Z is older than the results are kept'],
      [{ ...valid, details: [1] }, 'details: must be a JSON object or null'],
      [{ ...valid, details: { blob: 'x'.repeat(20_000) } }, 'details: must be at most 16384 characters as JSON'],
    ];
    for (const [item, reason] of cases) assert.equal(parse(item), reason, JSON.stringify(item).slice(0, 80));
  });

  it('has a long message cut to 2,000 characters', () => {
    const parsed = parse({ ...valid, message: 'x'.repeat(5000) });
    assert.ok(typeof parsed !== 'string');
    assert.equal(parsed.result.message.length, 2000);
  });
});
