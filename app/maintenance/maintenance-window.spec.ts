import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerInWorker } from '../../test/support/in-worker.js';
import { nextOccurrence, occurrenceAt, scheduleProblem, WindowScope, type MaintenanceWindow } from './maintenance-window.js';

const base: MaintenanceWindow = {
  id: 1,
  name: 'w',
  startsAt: null,
  endsAt: null,
  cron: null,
  durationMin: null,
  timezone: 'UTC',
  all: false,
  monitorIds: [],
  services: null,
  agentIds: [],
};
const at = (iso: string) => Date.parse(iso);

describe('maintenance window occurrences', () => {
  it('one-off: on from starts_at (inclusive) to ends_at (exclusive)', () => {
    const window = { ...base, startsAt: at('2026-11-25T22:00:00Z'), endsAt: at('2026-11-25T23:30:00Z') };
    assert.equal(occurrenceAt(window, at('2026-11-25T21:59:59Z')), null);
    assert.deepEqual(occurrenceAt(window, at('2026-11-25T22:00:00Z')), { start: window.startsAt, end: window.endsAt });
    assert.equal(occurrenceAt(window, at('2026-11-25T23:30:00Z')), null);
    assert.deepEqual(nextOccurrence(window, at('2026-11-25T12:00:00Z')), { start: window.startsAt, end: window.endsAt });
    assert.equal(nextOccurrence(window, at('2026-11-25T22:30:00Z')), null);
  });

  it('recurring: Sundays 02:00 for 90 minutes, Berlin time', () => {
    const window = { ...base, cron: '0 2 * * 0', durationMin: 90, timezone: 'Europe/Berlin' };
    // 2026-11-22 is a Sunday; Berlin is UTC+1 in November.
    assert.equal(occurrenceAt(window, at('2026-11-22T00:59:00Z')), null);
    assert.deepEqual(occurrenceAt(window, at('2026-11-22T01:00:00Z')), {
      start: at('2026-11-22T01:00:00Z'),
      end: at('2026-11-22T02:30:00Z'),
    });
    assert.deepEqual(occurrenceAt(window, at('2026-11-22T02:29:59Z'))?.start, at('2026-11-22T01:00:00Z'));
    assert.equal(occurrenceAt(window, at('2026-11-22T02:30:00Z')), null);
    assert.deepEqual(nextOccurrence(window, at('2026-11-22T03:00:00Z')), {
      start: at('2026-11-29T01:00:00Z'),
      end: at('2026-11-29T02:30:00Z'),
    });
  });

  it('follows daylight saving time in its time zone', () => {
    const window = { ...base, cron: '30 3 * * *', durationMin: 30, timezone: 'Europe/Berlin' };
    // Summer time: 03:30 in Berlin is 01:30 UTC; winter: 02:30 UTC.
    assert.equal(nextOccurrence(window, at('2026-07-01T00:00:00Z'))?.start, at('2026-07-01T01:30:00Z'));
    assert.equal(nextOccurrence(window, at('2026-12-01T00:00:00Z'))?.start, at('2026-12-01T02:30:00Z'));
  });

  it('covers by monitor id, service glob, agent id, or everything', () => {
    const scope = new WindowScope({ ...base, monitorIds: [3, 4], services: 'backup.*', agentIds: [9] });
    assert.equal(scope.covers({ monitorId: 3 }), true);
    assert.equal(scope.covers({ monitorId: 5 }), false);
    assert.equal(scope.covers({ service: 'backup.nightly.db' }), true);
    assert.equal(scope.covers({ service: 'billing.backup' }), false);
    assert.equal(scope.covers({ agentId: 9 }), true);
    assert.equal(new WindowScope({ ...base, all: true }).covers({ service: 'anything' }), true);
  });

  it('matches a service glob with many "*" on hostile names at once', async () => {
    const answers = await answerInWorker(
      new URL('./maintenance-window.js', import.meta.url),
      (windows: typeof import('./maintenance-window.js')) => {
        const scope = new windows.WindowScope({
          id: 1,
          name: 'w',
          startsAt: null,
          endsAt: null,
          cron: null,
          durationMin: null,
          timezone: 'UTC',
          all: false,
          monitorIds: [],
          services: '*.*.*.*.*.*.*.prod',
          agentIds: [],
        });
        const hostile = Array.from({ length: 10 }, (_, index) => `${'x.'.repeat(125)}q${index}`);
        return [...hostile, 'a.b.c.d.e.f.g.prod'].map((service) => scope.covers({ service }));
      },
      'maintenance service glob on hostile names',
    );
    assert.deepEqual(answers, [...Array.from({ length: 10 }, () => false), true]);
  });

  it('explains a bad schedule, naming the field', () => {
    const problem = (cron: string, timezone: string) => {
      const error = scheduleProblem(cron, timezone);
      return error ? `${error.field}: ${error.message}` : '';
    };
    assert.equal(scheduleProblem('0 2 * * 0', 'Europe/Berlin'), null);
    assert.match(problem('0 2 * * 0', 'Mars/Olympus'), /^timezone: "Mars\/Olympus" is not a time zone/);
    assert.match(problem('61 2 * * 0', 'UTC'), /^cron: .*0-59/);
    assert.match(problem('0 2 * *', 'UTC'), /^cron: must have five fields/);
  });
});
