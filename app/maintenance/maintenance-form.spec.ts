import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeCron,
  emptyForm,
  formFieldErrors,
  formOfWindow,
  nextOccurrences,
  occurrenceView,
  readForm,
  toWindowInput,
} from './maintenance-form.js';
import { nextOccurrence, type MaintenanceWindow } from './maintenance-window.js';

const window = (overrides: Partial<MaintenanceWindow>): MaintenanceWindow => ({
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
  ...overrides,
});

describe('maintenance form', () => {
  it('reads a one-off window typed in a time zone as the instants it means', () => {
    const form = readForm({
      name: ' Patch ',
      kind: 'once',
      starts: '2026-03-29T01:30',
      ends: '2026-03-29T04:00',
      timezone: 'Europe/Berlin',
      all: ['false', 'true'],
    });
    const input = toWindowInput(form);
    assert.ok(input.ok);
    // 01:30 is still winter time (UTC+1), 04:00 is summer time (UTC+2): the clocks went forward at 02:00.
    assert.equal(Date.parse(input.dto.starts_at!), Date.UTC(2026, 2, 29, 0, 30));
    assert.equal(Date.parse(input.dto.ends_at!), Date.UTC(2026, 2, 29, 2, 0));
    assert.deepEqual({ name: input.dto.name, all: input.dto.all, cron: input.dto.cron }, { name: 'Patch', all: true, cron: undefined });
  });

  it('names the fields that are not times or zones, and leaves out ids that are not numbers, without asking the service', () => {
    const input = toWindowInput(
      readForm({ name: 'x', kind: 'once', starts: 'tomorrow', ends: '', timezone: 'Mars/Olympus', agent_ids: ['3', 'four'] }),
    );
    assert.ok(!input.ok);
    assert.deepEqual(Object.keys(input.errors).sort(), ['ends', 'starts', 'timezone']);
    assert.match(input.errors.timezone!, /“Mars\/Olympus” is not a time zone/);
    assert.equal(input.errors.ends, 'This field is required.');
    assert.deepEqual(readForm({ agent_ids: ['3', 'four'], monitor_ids: '9' }).agent_ids, [3], 'a tampered checkbox value is left out');
    assert.deepEqual(readForm({ monitor_ids: '9' }).monitor_ids, [9], 'one ticked box comes as a single value');
    const empty = toWindowInput(readForm({ kind: 'once', timezone: 'UTC' }));
    assert.ok(!empty.ok);
    assert.deepEqual(Object.keys(empty.errors).sort(), ['ends', 'name', 'starts'], 'an empty form: every missing field at once');
  });

  it('passes a recurring window’s cron line, duration and zone on, and its scope', () => {
    const input = toWindowInput(
      readForm({
        name: 'Sundays',
        kind: 'recurring',
        cron: '0 2 * * 0',
        duration_min: '90',
        timezone: 'UTC',
        monitor_ids: ['4', '9', 'x'],
        services: 'backup.*',
        agent_ids: ['3', '7', 'x'],
      }),
    );
    assert.ok(input.ok);
    assert.deepEqual(
      { ...input.dto },
      {
        name: 'Sundays',
        cron: '0 2 * * 0',
        duration_min: 90,
        timezone: 'UTC',
        monitor_ids: [4, 9],
        services: 'backup.*',
        agent_ids: [3, 7],
      },
    );
  });

  it('shows a stored one-off window in the server’s zone and a recurring one in its own', () => {
    const once = formOfWindow(
      window({ startsAt: Date.UTC(2026, 11, 2, 21, 0), endsAt: Date.UTC(2026, 11, 2, 22, 30), monitorIds: [2] }),
      'Europe/Berlin',
    );
    assert.deepEqual(
      [once.kind, once.starts, once.ends, once.timezone, once.monitor_ids],
      ['once', '2026-12-02T22:00', '2026-12-02T23:30', 'Europe/Berlin', [2]],
    );
    const recurring = formOfWindow(window({ cron: '0 2 * * 0', durationMin: 90, timezone: 'America/New_York', agentIds: [3, 4] }), 'UTC');
    assert.deepEqual(
      [recurring.kind, recurring.cron, recurring.duration_min, recurring.timezone, recurring.agent_ids],
      ['recurring', '0 2 * * 0', '90', 'America/New_York', [3, 4]],
    );
    assert.equal(emptyForm('UTC').kind, 'once');
  });

  it('puts the service’s errors on the form’s fields', () => {
    assert.deepEqual(formFieldErrors({ ends_at: 'must be after starts_at', cron: 'bad' }), {
      ends: 'must be after starts_at',
      cron: 'bad',
    });
  });

  it('describes a cron line in words and lists the next occurrences in the window’s zone', () => {
    assert.equal(describeCron('0 2 * * 0'), 'At 02:00, only on Sunday');
    assert.equal(describeCron('not a cron'), null);
    const sundays = window({ cron: '0 2 * * 0', durationMin: 90, timezone: 'Europe/Berlin' });
    const next = nextOccurrences((after) => nextOccurrence(sundays, after), Date.UTC(2026, 11, 1), 3);
    assert.deepEqual(
      next.map((occurrence) => occurrenceView(occurrence, 'Europe/Berlin').text),
      [
        'Sun 2026-12-06 02:00 – 03:30 Europe/Berlin',
        'Sun 2026-12-13 02:00 – 03:30 Europe/Berlin',
        'Sun 2026-12-20 02:00 – 03:30 Europe/Berlin',
      ],
    );
    assert.equal(
      occurrenceView({ start: Date.UTC(2026, 11, 1, 23, 30), end: Date.UTC(2026, 11, 2, 0, 15) }, 'UTC').text,
      'Tue 2026-12-01 23:30 – Wed 2026-12-02 00:15 UTC',
    );
  });
});
