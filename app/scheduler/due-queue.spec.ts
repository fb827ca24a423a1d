import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DueQueue } from './due-queue.js';

describe('DueQueue', () => {
  it('hands out due keys earliest first and keeps the rest', () => {
    const queue = new DueQueue<string>();
    queue.schedule('c', 30);
    queue.schedule('a', 10);
    queue.schedule('b', 20);
    queue.schedule('d', 40);
    assert.equal(queue.peekTime(), 10);
    assert.deepEqual(
      queue.takeDue(25).map((entry) => entry.key),
      ['a', 'b'],
    );
    assert.equal(queue.size, 2);
    assert.deepEqual(
      queue.takeDue(100, 1).map((entry) => entry.key),
      ['c'],
      'limit respected',
    );
    assert.deepEqual(
      queue.takeDue(100).map((entry) => entry.key),
      ['d'],
    );
    assert.equal(queue.peekTime(), undefined);
  });

  it('moves a rescheduled key instead of duplicating it', () => {
    const queue = new DueQueue<number>();
    queue.schedule(1, 100);
    queue.schedule(2, 200);
    queue.schedule(1, 300);
    assert.equal(queue.size, 2);
    assert.equal(queue.dueAt(1), 300);
    assert.deepEqual(
      queue.takeDue(250).map((entry) => entry.key),
      [2],
    );
    queue.schedule(1, 50);
    assert.deepEqual(
      queue.takeDue(60).map((entry) => entry.key),
      [1],
    );
  });

  it('removes keys from anywhere in the heap', () => {
    const queue = new DueQueue<number>();
    for (let key = 0; key < 100; key++) queue.schedule(key, (key * 37) % 101);
    for (let key = 0; key < 100; key += 3) assert.equal(queue.remove(key), true);
    assert.equal(queue.remove(0), false);
    const order = queue.takeDue(1000).map((entry) => entry.dueAt);
    assert.equal(order.length, 100 - 34);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  });

  it('stays ordered under random schedule, reschedule and remove', () => {
    const queue = new DueQueue<number>();
    const expected = new Map<number, number>();
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let step = 0; step < 20_000; step++) {
      const key = Math.floor(random() * 500);
      if (random() < 0.2) {
        assert.equal(queue.remove(key), expected.delete(key));
      } else {
        const time = Math.floor(random() * 1_000_000);
        queue.schedule(key, time);
        expected.set(key, time);
      }
    }
    const drained = queue.takeDue(Number.POSITIVE_INFINITY);
    assert.deepEqual(new Map(drained.map((entry) => [entry.key, entry.dueAt])), expected);
    assert.deepEqual(
      drained.map((entry) => entry.dueAt),
      [...expected.values()].sort((a, b) => a - b),
    );
  });
});
