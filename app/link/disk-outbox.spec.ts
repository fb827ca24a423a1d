import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { DiskOutbox, type DiskOutboxOptions, type DropReason } from './disk-outbox.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-outbox-'));
  dirs.push(dir);
  return dir;
}

function open(dir: string, options: Partial<DiskOutboxOptions> = {}) {
  const drops: { count: number; reason: DropReason }[] = [];
  const outbox = DiskOutbox.open({
    dir,
    maxBytes: 1024 * 1024,
    maxAgeMs: 24 * 3_600_000,
    syncIntervalMs: 0,
    onDrop: (count, reason) => drops.push({ count, reason }),
    ...options,
  });
  return { outbox, drops };
}

const ids = (items: string[]) => items.map((item) => (JSON.parse(item) as { id: number }).id);

/** Reads and acknowledges everything, as the server would. */
function drain(outbox: DiskOutbox, batchSize = 500): number[] {
  const seen: number[] = [];
  for (;;) {
    const batch = outbox.peek(batchSize, Number.MAX_SAFE_INTEGER);
    seen.push(...ids(batch.items));
    outbox.commit(batch);
    if (batch.items.length === 0 && batch.expired === 0 && batch.unreadable === 0) return seen;
  }
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('DiskOutbox', () => {
  it('hands items out oldest first in batches, and an acknowledged batch never comes back', () => {
    const dir = tempDir();
    const { outbox } = open(dir);
    for (let id = 1; id <= 1200; id++) outbox.append({ id });
    assert.equal(outbox.queued, 1200);
    const first = outbox.peek(500, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(
      ids(first.items),
      Array.from({ length: 500 }, (_, index) => index + 1),
    );
    outbox.commit(first);
    assert.equal(outbox.queued, 700);
    assert.deepEqual(
      drain(outbox),
      Array.from({ length: 700 }, (_, index) => index + 501),
    );
    assert.equal(outbox.queued, 0);
    outbox.close();
  });

  it('a released batch (the send failed) is read again, whole', () => {
    const { outbox } = open(tempDir());
    for (let id = 1; id <= 10; id++) outbox.append({ id });
    const batch = outbox.peek(4, Number.MAX_SAFE_INTEGER);
    outbox.release(batch);
    assert.deepEqual(ids(outbox.peek(4, Number.MAX_SAFE_INTEGER).items), [1, 2, 3, 4]);
    outbox.close();
  });

  it('keeps a batch within the byte budget, but always hands out at least one item', () => {
    const { outbox } = open(tempDir());
    outbox.append({ id: 1, pad: 'x'.repeat(3000) });
    outbox.append({ id: 2 });
    outbox.append({ id: 3 });
    const big = outbox.peek(500, 100);
    assert.deepEqual(ids(big.items), [1], 'the large item alone');
    outbox.commit(big);
    const rest = outbox.peek(500, 100);
    assert.deepEqual(ids(rest.items), [2, 3]);
    outbox.close();
  });

  it('is where it was after a restart: what was acknowledged is gone, the rest comes in order', () => {
    const dir = tempDir();
    const first = open(dir, { segmentBytes: 4096 }).outbox;
    for (let id = 1; id <= 300; id++) first.append({ id, message: 'HTTP 200' });
    first.commit(first.peek(120, Number.MAX_SAFE_INTEGER));
    // No close(): as after kill -9, only what write(2) and rename(2) did is there.
    const second = open(dir, { segmentBytes: 4096 }).outbox;
    assert.equal(second.queued, 180);
    assert.deepEqual(
      drain(second, 50),
      Array.from({ length: 180 }, (_, index) => index + 121),
    );
    second.close();
    first.close();
  });

  it('a batch read but not acknowledged before a crash is read again after the restart (the server counts it once)', () => {
    const dir = tempDir();
    const first = open(dir).outbox;
    for (let id = 1; id <= 5; id++) first.append({ id });
    first.peek(3, Number.MAX_SAFE_INTEGER); // sent; the process dies before the answer is committed
    const second = open(dir).outbox;
    assert.deepEqual(drain(second), [1, 2, 3, 4, 5]);
    second.close();
    first.close();
  });

  it('cuts off a line torn by a power cut, keeping every whole one', () => {
    const dir = tempDir();
    const first = open(dir).outbox;
    for (let id = 1; id <= 3; id++) first.append({ id });
    first.close();
    const [segment] = readdirSync(dir).filter((name) => name.endsWith('.seg'));
    appendFileSync(path.join(dir, segment!), '1763812800000\t{"id":4,"mess');
    const second = open(dir).outbox;
    assert.equal(second.queued, 3);
    second.append({ id: 5 });
    assert.deepEqual(drain(second), [1, 2, 3, 5]);
    second.close();
  });

  it('starts new segment files as they fill and deletes the ones wholly acknowledged', () => {
    const dir = tempDir();
    const { outbox } = open(dir, { segmentBytes: 4096 });
    for (let id = 1; id <= 400; id++) outbox.append({ id, message: 'connection refused' });
    const segments = () => readdirSync(dir).filter((name) => name.endsWith('.seg')).length;
    assert.ok(segments() > 5, `${segments()} segments`);
    drain(outbox, 100);
    assert.equal(segments(), 1, 'only the segment being written is left');
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')).dropped, 0);
    outbox.close();
  });

  it('over the size limit drops the oldest items first, counts them and says so', () => {
    const dir = tempDir();
    const { outbox, drops } = open(dir, { maxBytes: 64 * 1024, segmentBytes: 4096 });
    for (let id = 1; id <= 2000; id++) outbox.append({ id, message: 'no answer within 10000 ms' });
    assert.ok(outbox.bytes <= 64 * 1024, `${outbox.bytes} bytes kept`);
    const dropped = drops.reduce((sum, drop) => sum + drop.count, 0);
    assert.ok(dropped > 0 && drops.every((drop) => drop.reason === 'size'));
    assert.equal(outbox.dropped, dropped);
    assert.equal(outbox.queued + dropped, 2000, 'every item is either kept or counted as dropped');
    const kept = drain(outbox);
    assert.deepEqual(
      kept,
      Array.from({ length: kept.length }, (_, index) => index + 1 + dropped),
      'the newest are kept, in order',
    );
    outbox.close();
    assert.equal(open(dir).outbox.dropped, dropped, 'the count survives a restart');
  });

  it('never drops the batch that is out for sending', () => {
    const { outbox } = open(tempDir(), { maxBytes: 16 * 1024, segmentBytes: 4096 });
    for (let id = 1; id <= 100; id++) outbox.append({ id, message: 'x'.repeat(40) });
    const batch = outbox.peek(10, Number.MAX_SAFE_INTEGER);
    for (let id = 101; id <= 600; id++) outbox.append({ id, message: 'x'.repeat(40) });
    assert.equal(outbox.dropped, 0, 'nothing dropped while a batch is out');
    outbox.commit(batch);
    outbox.enforceLimits();
    assert.ok(outbox.dropped > 0, 'the limit applies once it is back');
    const kept = drain(outbox);
    assert.equal(kept[kept.length - 1], 600);
    assert.ok(kept[0]! > 10);
    outbox.close();
  });

  it('drops items older than the age limit instead of sending them, counted when the batch is acknowledged', () => {
    let now = Date.UTC(2026, 10, 22, 12);
    const { outbox, drops } = open(tempDir(), { maxAgeMs: 3_600_000, now: () => now, segmentBytes: 4096 });
    for (let id = 1; id <= 10; id++) outbox.append({ id });
    now += 3_600_001;
    outbox.append({ id: 11 });
    const batch = outbox.peek(500, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(ids(batch.items), [11]);
    assert.equal(batch.expired, 10);
    assert.equal(outbox.dropped, 0, 'not yet: the send may fail');
    outbox.commit(batch);
    assert.equal(outbox.dropped, 10);
    assert.deepEqual(drops, [{ count: 10, reason: 'age' }]);
  });

  it('drops whole segments past the age limit while the server is away, so the disk is freed', () => {
    let now = Date.UTC(2026, 10, 22, 12);
    const dir = tempDir();
    const { outbox, drops } = open(dir, { maxAgeMs: 3_600_000, now: () => now, segmentBytes: 4096 });
    for (let id = 1; id <= 300; id++) outbox.append({ id, message: 'connection refused' });
    const before = readdirSync(dir).filter((name) => name.endsWith('.seg')).length;
    now += 2 * 3_600_000;
    outbox.append({ id: 301 });
    assert.equal(readdirSync(dir).filter((name) => name.endsWith('.seg')).length, 1, `${before} segments before`);
    assert.equal(drops.reduce((sum, drop) => sum + drop.count, 0) + outbox.queued, 301);
    assert.deepEqual(drain(outbox), [301]);
  });

  it('passes over an unreadable line, counting it as dropped', () => {
    const dir = tempDir();
    const first = open(dir).outbox;
    first.append({ id: 1 });
    first.close();
    const [segment] = readdirSync(dir).filter((name) => name.endsWith('.seg'));
    appendFileSync(path.join(dir, segment!), 'garbage without a tab\n');
    const second = open(dir);
    second.outbox.append({ id: 2 });
    assert.deepEqual(drain(second.outbox), [1, 2]);
    assert.equal(second.outbox.dropped, 1);
    assert.deepEqual(second.drops, [{ count: 1, reason: 'unreadable' }]);
  });

  it('writes its files for the owner only', () => {
    const dir = tempDir();
    const { outbox } = open(path.join(dir, 'outbox'));
    outbox.append({ id: 1 });
    outbox.commit(outbox.peek(1, 1000));
    assert.equal(statSync(path.join(dir, 'outbox')).mode & 0o777, 0o700);
    for (const name of readdirSync(path.join(dir, 'outbox')))
      assert.equal(statSync(path.join(dir, 'outbox', name)).mode & 0o777, 0o600, name);
    assert.ok(existsSync(path.join(dir, 'outbox', 'state.json')));
    outbox.close();
  });
});
