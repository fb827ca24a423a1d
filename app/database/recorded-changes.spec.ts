import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordedChanges } from './recorded-changes.js';

/** What a promise says so far: its value, or 'waiting'. */
async function state(promise: Promise<boolean>): Promise<boolean | 'waiting'> {
  return Promise.race([promise, new Promise<'waiting'>((resolve) => setImmediate(() => resolve('waiting')))]);
}

describe('RecordedChanges: a change hears whether the save that carried it wrote it', () => {
  it('resolves the changes a save took once it commits: true where written, false where left out', async () => {
    const changes = new RecordedChanges();
    const first = changes.track('a');
    const second = changes.track('a');
    const other = changes.track('b');
    const batch = changes.take(['a', 'b', 'c']);
    const later = changes.track('a');
    assert.equal(await state(first), 'waiting', 'nothing is settled before the save commits');
    batch.settle((name) => name === 'a');
    assert.deepEqual([await first, await second, await other], [true, true, false]);
    assert.equal(await state(later), 'waiting', 'a change made after the save read its rows waits for the next save');
    changes.take(['a']).settle(() => true);
    assert.equal(await later, true);
    assert.equal(changes.size, 0);
  });

  it('keeps the changes of a failed save, in order, for the next save of their names', async () => {
    const changes = new RecordedChanges();
    const settledOrder: string[] = [];
    void changes.track('a').then(() => settledOrder.push('first'));
    const batch = changes.take(['a']);
    void changes.track('a').then(() => settledOrder.push('second'));
    batch.restore();
    changes.take(['a']).settle(() => true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(settledOrder, ['first', 'second']);
  });

  it('tells the changes of names that will not be saved that they are not recorded', async () => {
    const changes = new RecordedChanges();
    const dropped = changes.track('a');
    changes.discard(['a']);
    assert.equal(await dropped, false);
  });
});
