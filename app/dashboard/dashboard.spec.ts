import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headlineOf } from './dashboard.pages.js';
import { heartbeatSummary } from './heartbeat-summary.js';

const counts = (partial: Partial<Record<string, number>>) => {
  const all = { pending: 0, up: 0, down: 0, warning: 0, paused: 0, maintenance: 0, ...partial };
  return { ...all, total: Object.values(all).reduce((a, b) => a + b, 0) };
};

describe('dashboard', () => {
  it('says in one sentence what needs attention, or that nothing does', () => {
    assert.equal(headlineOf(counts({})), null);
    assert.deepEqual(headlineOf(counts({ up: 5, down: 2, warning: 1 })), { tone: 'bad', text: '2 down, 1 warning.' });
    assert.deepEqual(headlineOf(counts({ up: 5, warning: 1 })), { tone: 'warn', text: '1 warning.' });
    assert.deepEqual(headlineOf(counts({ up: 3, paused: 1 })), { tone: 'ok', text: 'All 3 checked monitors are up (1 paused).' });
    assert.deepEqual(headlineOf(counts({ up: 1, pending: 2 })), { tone: 'info', text: '2 waiting for a first result; the others are up.' });
  });

  it('counts heartbeat services and alarms by state and lists the ones in error, longest first', () => {
    const summary = heartbeatSummary(
      {
        serviceStates: [{ state: 'error' }, { state: 'error' }, { state: 'ok' }, { state: 'muted' }],
        // As the ServicesQuery lists them: longest in error first, the first page only.
        servicesInError: [{ name: 'a', last_beat: -1, last_state_change: 100 }],
        alarmStates: [{ state: 'error' }, { state: 'ok' }],
        alarmsInError: [{ name: 'web', incident_nbr: 3, failed_services: 2, last_state_change: 150 }],
      },
      1,
    );
    assert.deepEqual(
      summary.services.counts.find((count) => count.state === 'error'),
      { state: 'error', count: 2 },
    );
    assert.deepEqual(summary.services.inError, [{ name: 'a', since: 100, lastBeat: null }]);
    assert.equal(summary.services.moreInError, 1);
    assert.deepEqual([summary.alarms.ok, summary.alarms.error, summary.alarms.inError[0]!.name], [1, 1, 'web']);
  });
});
