import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceBucketDeltas } from './source-buckets.js';

const T = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('source buckets', () => {
  it('adds each result to its source’s minute and hour bucket, one delta per bucket', () => {
    const deltas = sourceBucketDeltas([
      { monitorId: 1, source: 'public', checkedAt: T + 1_000, status: 'up', latencyMs: 10 },
      { monitorId: 1, source: 'public', checkedAt: T + 31_000, status: 'down', latencyMs: null },
      { monitorId: 1, source: 'public', checkedAt: T + 61_000, status: 'up', latencyMs: 30 },
      { monitorId: 1, source: 'poller:2', checkedAt: T + 2_000, status: 'warning', latencyMs: 200 },
    ]);
    const find = (source: string, period: string, start: number) =>
      deltas.find((delta) => delta.source === source && delta.period === period && delta.bucketStart === start);
    assert.equal(deltas.length, 5);
    assert.deepEqual(find('public', 'minute', T), {
      monitorId: 1,
      source: 'public',
      period: 'minute',
      bucketStart: T,
      checks: 2,
      downChecks: 1,
      latencyCount: 1,
      latencySumMs: 10,
      latencyMinMs: 10,
      latencyMaxMs: 10,
    });
    assert.equal(find('public', 'minute', T + 60_000)!.latencySumMs, 30);
    const hour = find('public', 'hour', T)!;
    assert.deepEqual([hour.checks, hour.latencyCount, hour.latencySumMs, hour.latencyMinMs, hour.latencyMaxMs], [3, 2, 40, 10, 30]);
    assert.equal(find('poller:2', 'hour', T)!.latencyMaxMs, 200, 'each source has its own buckets');
  });
});
