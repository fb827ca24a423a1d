import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyseIntervals, autoTimeoutMs } from './auto-timeout.js';

const times = (count: number, value: number) => Array<number>(count).fill(value);

describe('automatic timeout (SPEC §6 test vectors)', () => {
  const vectors: [string, number[], number][] = [
    ['[]', [], 1000],
    ['[60000, 60000]', [60000, 60000], 61000],
    ['20 × 60000', times(20, 60000), 61000],
    ['19 × 60000 + 600000 (the outlier is dropped)', [...times(19, 60000), 600000], 61000],
    ['[60000, 120000]', [60000, 120000], 184547],
    ['10 × 60000 then 10 × 120000', [...times(10, 60000), ...times(10, 120000)], 186962],
  ];
  for (const [label, intervals, expected] of vectors) {
    it(`${label} → ${expected} ms`, () => assert.equal(autoTimeoutMs(intervals), expected));
  }

  it('uses only the last 20 intervals', () => {
    assert.equal(autoTimeoutMs([...times(30, 3_600_000), ...times(20, 60000)]), 61000);
  });

  it('weighs the newest interval most: the order of the history matters and is kept', () => {
    const slowingDown = [...times(10, 60000), ...times(10, 120000)];
    const speedingUp = [...times(10, 120000), ...times(10, 60000)];
    assert.ok(autoTimeoutMs(speedingUp) < autoTimeoutMs(slowingDown), 'a service that beats faster again gets a shorter timeout');
    const copy = [...speedingUp];
    autoTimeoutMs(copy);
    assert.deepEqual(copy, speedingUp, 'the input is not sorted in place');
  });

  it('analyses the rhythm from 10 intervals on', () => {
    assert.equal(analyseIntervals(times(9, 60000)), null);
    assert.deepEqual(analyseIntervals(times(10, 60000)), { lower: 60000, upper: 60000, unstable: false });
    const irregular = analyseIntervals([10000, 90000, 20000, 100000, 15000, 95000, 12000, 99000, 30000, 80000])!;
    assert.equal(irregular.unstable, true);
    assert.ok(irregular.lower < irregular.upper);
  });
});
