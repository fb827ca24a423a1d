import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualTimers } from '../../test/fakes/virtual-timers.js';
import { DueTimer } from './due-timer.js';

function harness() {
  const timers = new VirtualTimers();
  const woken: { at: number; keys: string[] }[] = [];
  const due: DueTimer<string> = new DueTimer<string>((now) => {
    woken.push({
      at: now,
      keys: due
        .takeDue(now)
        .map((entry) => entry.key)
        .sort(),
    });
  }, timers);
  return { timers, due, woken };
}

describe('DueTimer', () => {
  it('wakes at each due time with what is due, and never while nothing is', async () => {
    const { timers, due, woken } = harness();
    const start = timers.time;
    due.schedule('b', start + 2000);
    due.schedule('a', start + 1000);
    due.schedule('c', start + 2000);
    await timers.advance(1500);
    assert.deepEqual(woken, [{ at: start + 1000, keys: ['a'] }]);
    await timers.advance(10_000);
    assert.deepEqual(woken.slice(1), [{ at: start + 2000, keys: ['b', 'c'] }]);
    assert.equal(timers.pendingCount, 0, 'no timer left once the queue is empty');
  });

  it('keeps one timer for many keys, brought forward when an earlier key arrives', async () => {
    const { timers, due, woken } = harness();
    const start = timers.time;
    for (let index = 0; index < 1000; index++) due.schedule(`k${index}`, start + 60_000 + index);
    assert.equal(timers.pendingCount, 1);
    due.schedule('early', start + 10);
    assert.equal(timers.pendingCount, 1, 'the earlier timer replaced the later one');
    await timers.advance(20);
    assert.deepEqual(woken, [{ at: start + 10, keys: ['early'] }]);
    assert.equal(timers.pendingCount, 1, 're-armed for the rest');
  });

  it('moves and removes keys; a key scheduled while waking is armed for afterwards', async () => {
    const timers = new VirtualTimers();
    const start = timers.time;
    const seen: string[] = [];
    const due: DueTimer<string> = new DueTimer<string>((now) => {
      for (const { key } of due.takeDue(now)) {
        seen.push(`${key}@${now - start}`);
        if (key === 'repeat' && seen.length < 3) due.schedule('repeat', now + 500);
      }
    }, timers);
    due.schedule('repeat', start + 100);
    due.schedule('moved', start + 200);
    due.schedule('gone', start + 300);
    due.schedule('moved', start + 5000);
    assert.equal(due.remove('gone'), true);
    await timers.advance(6000);
    assert.deepEqual(seen, ['repeat@100', 'repeat@600', 'repeat@1100', 'moved@5000']);
  });

  it('takes due keys on demand (a test or a caller may look before the timer fires)', () => {
    const { timers, due } = harness();
    due.schedule('x', timers.time - 1);
    due.schedule('y', timers.time + 1000);
    assert.deepEqual(
      due.takeDue(timers.time).map((entry) => entry.key),
      ['x'],
    );
    assert.equal(due.dueAt('y'), timers.time + 1000);
    assert.equal(due.size, 1);
  });

  it('after stop, nothing wakes and nothing is armed', async () => {
    const { timers, due, woken } = harness();
    due.schedule('a', timers.time + 100);
    due.stop();
    due.schedule('b', timers.time + 100);
    await timers.advance(1000);
    assert.deepEqual(woken, []);
    assert.equal(timers.pendingCount, 0);
  });
});
