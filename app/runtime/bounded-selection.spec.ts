import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstInOrder } from './bounded-selection.js';

describe('firstInOrder', () => {
  const byValue = (a: number, b: number) => a - b;

  it('gives the first items in order, as a full sort would', () => {
    const items = Array.from({ length: 1000 }, (_unused, index) => (index * 7919) % 1009);
    for (const count of [0, 1, 5, 50, 999, 1000, 2000]) {
      assert.deepEqual(firstInOrder(items, count, byValue), [...items].sort(byValue).slice(0, count), `count ${count}`);
    }
  });

  it('takes any iterable and any order', () => {
    const words = new Set(['pear', 'apple', 'fig', 'kiwi', 'banana']);
    assert.deepEqual(
      firstInOrder(words, 3, (a, b) => b.length - a.length || (a < b ? -1 : 1)),
      ['banana', 'apple', 'kiwi'],
    );
  });
});
