import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intervalBars } from './interval-bars.js';

describe('intervalBars', () => {
  it('draws each interval as a bar against the timeout line, marking those over it', () => {
    const chart = intervalBars([60_000, 61_000, 200_000], 120_000);
    assert.equal(chart.bars.length, 3);
    assert.deepEqual(
      chart.bars.map((bar) => bar.over),
      [false, false, true],
    );
    assert.ok(chart.bars[2]!.height > chart.bars[0]!.height * 3, 'heights follow the intervals');
    assert.ok(chart.timeout && chart.timeout.y > chart.bars[2]!.y && chart.timeout.y < chart.bars[0]!.y, 'the line sits between them');
    assert.equal(chart.timeout!.label, 'timeout 2 min');
    assert.ok(chart.bars.every((bar) => bar.x >= 0 && bar.x + bar.width <= chart.width && bar.y >= 0));
  });

  it('draws no line without a deadline, and says when there is nothing to draw', () => {
    assert.equal(intervalBars([5000, 5000], -1).timeout, null);
    const empty = intervalBars([], 60_000);
    assert.equal(empty.empty, true);
    assert.equal(empty.bars.length, 0);
  });
});
