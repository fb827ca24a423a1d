import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTO_TIMEOUT } from './heartbeat-values.js';
import { DAY_MS, isForgettable } from './forget-unseen.js';
import { ServiceRecord } from './service-record.js';

const START = Date.UTC(2026, 0, 1);
const WEEK = 7 * DAY_MS;

function service(name: string, change: (record: ServiceRecord) => void = () => undefined): ServiceRecord {
  const record = new ServiceRecord(name, START);
  record.recordBeat(START);
  change(record);
  return record;
}

describe('forgetting services heard from once', () => {
  const named = new Set(['billing.export']);
  const forgettable = (record: ServiceRecord, now = START + WEEK) => isForgettable(record, now, WEEK, (name) => named.has(name));

  it('forgets a service of one beat once it has been silent for the whole period', () => {
    assert.equal(forgettable(service('junk.name')), true);
    assert.equal(forgettable(service('junk.name'), START + WEEK - 1), false, 'not a moment before');
    assert.equal(
      forgettable(
        service('junk.many', (s) => s.recordBeat(START + 500)),
        START + WEEK + 500,
      ),
      true,
      'beats within one second are one',
    );
    const silent = new ServiceRecord('created.without.beat', START);
    assert.equal(forgettable(silent), true, 'created by a command that set nothing');
  });

  it('keeps a service that beat again, or that anyone configured', () => {
    assert.equal(
      forgettable(
        service('beat.twice', (s) => s.recordBeat(START + 60_000)),
        START + 60_000 + WEEK,
      ),
      false,
    );
    assert.equal(forgettable(service('with.timeout', (s) => (s.timeoutMs = 60_000))), false);
    assert.equal(forgettable(service('with.auto', (s) => (s.timeoutMs = AUTO_TIMEOUT))), false);
    assert.equal(forgettable(service('with.min.interval', (s) => (s.minIntervalMs = 30_000))), false);
    assert.equal(forgettable(service('muted', (s) => (s.mutedSince = START))), false);
    assert.equal(forgettable(service('job.started', (s) => (s.runStartedAt = START))), false);
    assert.equal(
      forgettable(service('job.failed', (s) => s.recordRun({ started_at: null, ended_at: START, duration_ms: null, result: 'failed' }))),
      false,
    );
    assert.equal(forgettable(service('billing.export')), false, 'its exact name is in an alarm');
  });
});
