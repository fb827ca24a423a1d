import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SHARD_COUNT, shardOf, workKey } from './shard-of.js';

describe('shardOf', () => {
  it('maps a key to the same shard every time, within the shard count', () => {
    for (const key of ['monitor:1', 'service:backup.nightly', 'alarm:db', '', 'service:ünïcödé']) {
      const shard = shardOf(key);
      assert.equal(shardOf(key), shard);
      assert.ok(Number.isInteger(shard) && shard >= 0 && shard < SHARD_COUNT, `${key} → ${shard}`);
    }
  });

  it('is FNV-1a (fixed vectors, so every version of Pulse agrees)', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c, of "foobar" 0xbf9cf968 (the reference test vectors).
    assert.equal(shardOf('a'), 0xe40c292c % SHARD_COUNT);
    assert.equal(shardOf('foobar'), 0xbf9cf968 % SHARD_COUNT);
  });

  it('spreads sequential monitors and similar service names over every shard', () => {
    const counts = new Array<number>(SHARD_COUNT).fill(0);
    for (let id = 1; id <= 6400; id++) counts[shardOf(workKey.monitor(id))]!++;
    assert.ok(Math.min(...counts) > 50 && Math.max(...counts) < 150, counts.join(' '));
    const services = new Set<number>();
    for (let index = 0; index < 1000; index++) services.add(shardOf(workKey.service(`app-${index}.web.beat`)));
    assert.equal(services.size, SHARD_COUNT);
  });
});
