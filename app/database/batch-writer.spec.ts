import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchWriter } from './batch-writer.js';

const silent = { log() {}, warn() {}, error() {}, debug() {}, verbose() {} };
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function writer(write: (items: number[]) => Promise<void>, overrides: Partial<ConstructorParameters<typeof BatchWriter<number>>[0]> = {}) {
  return new BatchWriter<number>({
    name: 'numbers',
    flushIntervalMs: 20,
    maxBatchSize: 100,
    maxPending: 1000,
    write,
    logger: silent,
    ...overrides,
  });
}

describe('BatchWriter', () => {
  it('groups items pushed within the interval into one write', async () => {
    const batches: number[][] = [];
    const batcher = writer(async (items) => void batches.push(items));
    for (let n = 0; n < 10; n++) batcher.push(n);
    await wait(60);
    assert.deepEqual(batches, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  });

  it('writes a full batch at once and never runs two writes together', async () => {
    const batches: number[][] = [];
    let running = 0;
    let overlapped = false;
    const batcher = writer(
      async (items) => {
        running++;
        if (running > 1) overlapped = true;
        await wait(5);
        batches.push(items);
        running--;
      },
      { maxBatchSize: 3 },
    );
    for (let n = 0; n < 7; n++) batcher.push(n);
    await batcher.close();
    assert.equal(overlapped, false);
    assert.deepEqual(batches.flat(), [0, 1, 2, 3, 4, 5, 6]);
    assert.ok(batches.every((batch) => batch.length <= 3));
  });

  it('keeps a failed batch and writes it, in order, once the database answers again', async () => {
    let failing = 2;
    const written: number[] = [];
    const batcher = writer(async (items) => {
      if (failing-- > 0) throw new Error('database is locked');
      written.push(...items);
    });
    batcher.push(1);
    batcher.push(2);
    await wait(30);
    batcher.push(3);
    for (let attempt = 0; attempt < 100 && written.length < 3; attempt++) await wait(20);
    assert.deepEqual(written, [1, 2, 3]);
  });

  it('refuses items beyond maxPending instead of growing without bound, and counts them', async () => {
    let dropped = 0;
    const batcher = writer(async () => Promise.reject(new Error('down')), {
      maxPending: 5,
      metrics: { dropped: (count) => (dropped += count) },
    });
    const accepted = Array.from({ length: 8 }, (_, n) => batcher.push(n));
    assert.deepEqual(accepted, [true, true, true, true, true, false, false, false]);
    assert.equal(dropped, 3);
  });

  it('keeps retrying a batch the storage refuses (a full disk) for as long as it takes, and at once when it recovers', async () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    let failing = true;
    let attempts = 0;
    const written: number[] = [];
    const listeners = new Set<() => void>();
    const storage = { onRecovered: (listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)) };
    const batcher = writer(
      async (items) => {
        attempts++;
        if (failing) throw full;
        written.push(...items);
      },
      { flushIntervalMs: 1, storage, maxAttemptsOnOtherErrors: 2 },
    );
    batcher.push(1);
    batcher.push(2);
    for (let wait = 0; wait < 200 && attempts < 4; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(attempts >= 4, 'retried past maxAttemptsOnOtherErrors: a storage failure is never given up on');
    assert.equal(batcher.pendingCount, 2);
    failing = false;
    for (const listener of listeners) listener();
    await batcher.close();
    assert.deepEqual(written, [1, 2]);
  });

  it('drops a batch that keeps failing on something else (a bug, a constraint), so later items are not held up', async () => {
    let dropped = 0;
    const written: number[] = [];
    const givenUp: number[] = [];
    const batcher = writer(
      async (items) => {
        if (items.includes(13)) throw new Error('CHECK constraint failed');
        written.push(...items);
      },
      {
        flushIntervalMs: 1,
        maxBatchSize: 1,
        maxAttemptsOnOtherErrors: 3,
        metrics: { dropped: (count) => (dropped += count) },
        onGivenUp: (items) => givenUp.push(...items),
      },
    );
    for (const item of [12, 13, 14]) batcher.push(item);
    for (let wait = 0; wait < 200 && written.length < 2; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(written, [12, 14]);
    assert.equal(dropped, 1);
    assert.deepEqual(givenUp, [13], 'whoever waits for the dropped item is told');
  });

  it('hurry() writes what is queued without waiting for the interval, right after a write in flight', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    const batcher = writer(
      async (items) => {
        writes.push(items);
        if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { flushIntervalMs: 60_000 },
    );
    batcher.push(1);
    batcher.hurry();
    await wait(10);
    assert.deepEqual(writes, [[1]], 'written at once, not after a minute');
    batcher.push(2);
    batcher.push(3);
    batcher.hurry();
    await wait(10);
    assert.equal(writes.length, 1, 'one write at a time');
    release();
    await wait(10);
    assert.deepEqual(writes, [[1], [2, 3]], 'the next one right after');
    await batcher.close();
  });

  it('flush() resolves once everything queued is written; close() refuses new items', async () => {
    const written: number[] = [];
    const batcher = writer(async (items) => void written.push(...items), { flushIntervalMs: 10_000 });
    batcher.push(1);
    batcher.push(2);
    await batcher.flush();
    assert.deepEqual(written, [1, 2]);
    batcher.push(3);
    await batcher.close();
    assert.deepEqual(written, [1, 2, 3]);
    assert.equal(batcher.push(4), false);
  });
});
