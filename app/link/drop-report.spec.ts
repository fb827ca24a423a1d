import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualTimers } from '../../test/fakes/virtual-timers.js';
import type { DropReason } from './disk-outbox.js';
import { DropReport } from './drop-report.js';

describe('DropReport', () => {
  it('says the first drop at once, then what was dropped meanwhile at most once a minute', async () => {
    const timers = new VirtualTimers();
    const said: string[] = [];
    const report = new DropReport((amount, reason) => said.push(`${reason} ${amount}`), timers);
    const lines = () => said;
    report.note(184, 'size');
    assert.deepEqual(lines(), ['size 184']);
    for (let step = 0; step < 13; step++) {
      await timers.advance(4500);
      report.note(253, 'size');
    }
    // 58.5 s of drops every 4.5 s: added up, said when the minute is over.
    assert.deepEqual(lines(), ['size 184']);
    await timers.advance(1500);
    assert.deepEqual(lines(), ['size 184', `size ${13 * 253}`]);
    report.note(10, 'age');
    assert.deepEqual(lines(), ['size 184', `size ${13 * 253}`, 'age 10'], 'each kind of drop has its own minute');
  });

  it('says what is left when the link closes', () => {
    const timers = new VirtualTimers();
    const said: [number, DropReason][] = [];
    const report = new DropReport((amount, reason) => said.push([amount, reason]), timers);
    report.note(5, 'size');
    report.note(7, 'size');
    report.note(1, 'size');
    report.flush();
    assert.deepEqual(said, [
      [5, 'size'],
      [8, 'size'],
    ]);
    assert.equal(timers.pendingCount, 0, 'no timer left behind');
  });
});
