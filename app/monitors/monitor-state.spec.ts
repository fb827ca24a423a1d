import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MonitorState } from './monitor.entity.js';
import { nextState, type StateSnapshot } from './monitor-state.js';

function walk(states: MonitorState[]) {
  let snapshot: StateSnapshot = { status: 'pending', since: null, incidentNumber: 0, incidentOpen: false };
  const changes = [];
  let at = 1000;
  for (const state of states) {
    const change = nextState(snapshot, state, (at += 1000), `now ${state}`);
    if (!change) continue;
    changes.push(change);
    snapshot = change.next;
  }
  return { snapshot, changes };
}

describe('monitor state machine', () => {
  it('reports a change only when the state changes, with when the previous one began', () => {
    const { changes } = walk(['up', 'up', 'warning', 'warning', 'up']);
    assert.deepEqual(
      changes.map((change) => [change.from, change.to, change.since]),
      [
        ['pending', 'up', null],
        ['up', 'warning', 2000],
        ['warning', 'up', 4000],
      ],
    );
  });

  it('numbers incidents: opened by going down, closed by coming back up, kept open through a warning', () => {
    const { changes, snapshot } = walk(['up', 'down', 'warning', 'down', 'up', 'down', 'up']);
    assert.deepEqual(
      changes.filter((change) => change.opens).map((change) => change.opens),
      [
        { number: 1, cause: 'now down' },
        { number: 2, cause: 'now down' },
      ],
    );
    assert.deepEqual(
      changes.filter((change) => change.closes).map((change) => change.closes),
      [
        { number: 1, resolution: 'recovered' },
        { number: 2, resolution: 'recovered' },
      ],
    );
    assert.equal(snapshot.incidentNumber, 2);
    assert.equal(snapshot.incidentOpen, false);
  });

  it('closes an open incident on pause, and leaves it open while no fresh result exists', () => {
    assert.deepEqual(walk(['down', 'paused']).changes[1]!.closes, { number: 1, resolution: 'paused' });
    const { snapshot } = walk(['down', 'pending']);
    assert.equal(snapshot.incidentOpen, true);
  });

  it('does not open an incident for warnings alone', () => {
    assert.equal(walk(['up', 'warning', 'up']).snapshot.incidentNumber, 0);
  });
});
