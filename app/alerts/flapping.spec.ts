import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlapDetector, percentStateChange } from './flapping.js';

const repeat = (state: string, count: number) => Array.from({ length: count }, () => state);

describe('percent state change (Nagios)', () => {
  it('is 0 for a steady state and 100 when every result differs from the one before', () => {
    assert.equal(percentStateChange(repeat('up', 21)), 0);
    assert.equal(percentStateChange(Array.from({ length: 21 }, (_, index) => (index % 2 ? 'down' : 'up'))), 100);
  });

  it('weighs recent changes more than old ones', () => {
    const oldChange = ['down', ...repeat('up', 20)];
    const newChange = [...repeat('up', 20), 'down'];
    assert.equal(percentStateChange(oldChange), 4); // 0.8 / 20
    assert.equal(percentStateChange(newChange), 6); // 1.2 / 20
  });
});

describe('flap detection', () => {
  it('starts at the high threshold, says so once, and stops only below the low one', () => {
    const detector = new FlapDetector(50, 25);
    const seen: string[] = [];
    for (let round = 0; round < 12; round++) {
      const observation = detector.observe('web', round % 2 ? 'down' : 'up');
      if (observation.started) seen.push(`started at ${round}`);
    }
    assert.deepEqual(seen, ['started at 9'], 'ten alternating results reach 50 %');
    assert.equal(detector.isFlapping('web'), true);
    let stoppedAt = -1;
    for (let round = 0; round < 30 && stoppedAt < 0; round++) if (detector.observe('web', 'up').stopped) stoppedAt = round;
    assert.ok(stoppedAt > 0, 'it settles once the state holds');
    assert.equal(detector.isFlapping('web'), false);
    assert.equal(detector.isFlapping('other'), false);
  });
});
