import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BucketAccumulator, mergeDeltas, percentile, uptimePercent } from './uptime-buckets.js';

const HOUR = 3_600_000;
const t0 = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('uptime buckets', () => {
  it('credits the time between results to the state held, in the bucket of the newer result', () => {
    const buckets = new BucketAccumulator(7);
    assert.equal(
      buckets.record({ at: t0, status: 'up', latencyMs: 10 }, 'pending', 150_000)[0]!.upMs,
      0,
      'the first result has nothing before it',
    );
    const [minute, hour] = buckets.record({ at: t0 + 60_000, status: 'down', latencyMs: null }, 'up', 150_000);
    assert.deepEqual([minute!.period, minute!.bucketStart, minute!.upMs, minute!.downChecks], ['minute', t0 + 60_000, 60_000, 1]);
    assert.deepEqual([hour!.period, hour!.bucketStart, hour!.upMs], ['hour', t0, 60_000]);
    const third = buckets.record({ at: t0 + 120_000, status: 'down', latencyMs: null }, 'down', 150_000);
    assert.equal(third[0]!.downMs, 60_000);
  });

  it('caps the credited time at the freshness window, so a stopped server charges nothing beyond it', () => {
    const buckets = new BucketAccumulator(1);
    buckets.record({ at: t0, status: 'up', latencyMs: 1 }, 'pending', 150_000);
    assert.equal(buckets.record({ at: t0 + 10 * HOUR, status: 'up', latencyMs: 1 }, 'up', 150_000)[1]!.upMs, 150_000);
    buckets.stopAccounting();
    assert.equal(
      buckets.record({ at: t0 + 11 * HOUR, status: 'up', latencyMs: 1 }, 'up', 150_000)[1]!.upMs,
      0,
      'paused time is not charged',
    );
  });

  it('gives the p95 of the current bucket and merges deltas of one bucket', () => {
    const buckets = new BucketAccumulator(1);
    const deltas = [];
    for (let index = 1; index <= 20; index++)
      deltas.push(...buckets.record({ at: t0 + index * 1000, status: 'up', latencyMs: index }, 'up', 150_000));
    const merged = mergeDeltas(deltas);
    assert.equal(merged.length, 2, 'one minute and one hour row');
    const minute = merged.find((delta) => delta.period === 'minute')!;
    assert.deepEqual(
      [minute.checks, minute.latencyCount, minute.latencySumMs, minute.latencyMinMs, minute.latencyMaxMs, minute.latencyP95Ms, minute.upMs],
      [20, 20, 210, 1, 20, 19, 19_000],
    );
    assert.equal(percentile([5], 0.95), 5);
    assert.equal(percentile([], 0.95), null);
  });

  it('computes uptime with warnings as up and nothing known as null', () => {
    assert.equal(uptimePercent({ upMs: 900, warningMs: 90, downMs: 10 }), 99);
    assert.equal(uptimePercent({ upMs: 2, warningMs: 0, downMs: 1 }), 66.667);
    assert.equal(uptimePercent({ upMs: 0, warningMs: 0, downMs: 0 }), null);
  });
});
