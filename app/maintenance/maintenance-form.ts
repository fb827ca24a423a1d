import cronstrue from 'cronstrue';
import { DateTime } from 'luxon';
import type { FieldErrors } from '../runtime/validation-failure.js';
import type { MaintenanceWindowDto } from './maintenance.dto.js';
import type { MaintenanceWindow, Occurrence } from './maintenance-window.js';

/**
 * The console's maintenance form: what a person types (local date and time in a chosen time zone, a cron
 * line, ticked monitors and agents) turned into the API's MaintenanceWindowDto and back. Pure, so the page controller
 * stays one line per step and the conversions are tested on their own.
 */
export interface MaintenanceFormValues {
  name: string;
  kind: 'once' | 'recurring';
  /** `2026-12-02T22:00` (an <input type="datetime-local">), read in `timezone`. */
  starts: string;
  ends: string;
  cron: string;
  duration_min: string;
  /** One-off: the zone the start and end are typed in; recurring: the zone the cron line runs in. */
  timezone: string;
  all: boolean;
  monitor_ids: number[];
  services: string;
  agent_ids: number[];
}

/** The API's field names → the form's, so a service's ValidationFailure lands next to the right input. */
const FORM_FIELD: Record<string, keyof MaintenanceFormValues> = { starts_at: 'starts', ends_at: 'ends' };

const LOCAL_INPUT = "yyyy-MM-dd'T'HH:mm";

export function isTimeZone(zone: string): boolean {
  return zone !== '' && DateTime.now().setZone(zone).isValid;
}

/** The zone this server's clock is set to (shown on the page, and the form's default). */
export function serverTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function emptyForm(zone: string): MaintenanceFormValues {
  return {
    name: '',
    kind: 'once',
    starts: '',
    ends: '',
    cron: '',
    duration_min: '60',
    timezone: zone,
    all: false,
    monitor_ids: [],
    services: '',
    agent_ids: [],
  };
}

/** A stored window as the form shows it; a one-off window's times in `zone` (it is stored without one). */
export function formOfWindow(window: MaintenanceWindow, zone: string): MaintenanceFormValues {
  const recurring = window.cron !== null;
  const shownZone = recurring ? window.timezone : zone;
  const local = (ms: number | null) => (ms === null ? '' : DateTime.fromMillis(ms, { zone: shownZone }).toFormat(LOCAL_INPUT));
  return {
    name: window.name,
    kind: recurring ? 'recurring' : 'once',
    starts: local(window.startsAt),
    ends: local(window.endsAt),
    cron: window.cron ?? '',
    duration_min: window.durationMin === null ? '60' : String(window.durationMin),
    timezone: shownZone,
    all: window.all,
    monitor_ids: [...window.monitorIds],
    services: window.services ?? '',
    agent_ids: [...window.agentIds],
  };
}

const text = (value: unknown): string => {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last.trim() : '';
};
const many = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((item): item is string => typeof item === 'string');

/** Ticked ids (checkbox values), whole numbers only. */
const ids = (value: unknown): number[] =>
  many(value)
    .filter((id) => /^\d{1,15}$/.test(id))
    .map(Number);

/** A submitted form's values, as typed (for showing the form again). */
export function readForm(body: Record<string, unknown>): MaintenanceFormValues {
  const checked = many(body.all);
  return {
    name: text(body.name),
    kind: text(body.kind) === 'recurring' ? 'recurring' : 'once',
    starts: text(body.starts),
    ends: text(body.ends),
    cron: text(body.cron),
    duration_min: text(body.duration_min),
    timezone: text(body.timezone),
    all: checked.includes('true'),
    monitor_ids: ids(body.monitor_ids),
    services: text(body.services),
    agent_ids: ids(body.agent_ids),
  };
}

/**
 * The API input the form stands for, or the errors (by form field) that stop it from being one: times
 * that are not times, a zone that does not exist, ids that are not numbers. Everything else (a cron
 * line, an end before the start, a missing scope) is the service's to judge.
 */
export function toWindowInput(form: MaintenanceFormValues): { ok: true; dto: MaintenanceWindowDto } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const dto: MaintenanceWindowDto = { name: form.name };
  // Said here too (the DTO says it as well), so an empty form lists every missing field at once.
  if (form.name.trim() === '') errors.name = 'Give the window a name, e.g. “Patch night”.';
  const zoneOk = isTimeZone(form.timezone);
  if (!zoneOk)
    errors.timezone =
      form.timezone === '' ? 'Choose a time zone.' : `“${form.timezone}” is not a time zone; use a name like Europe/Berlin or UTC.`;
  if (form.kind === 'once') {
    for (const field of ['starts', 'ends'] as const) {
      if (form[field] === '') {
        errors[field] = 'This field is required.';
        continue;
      }
      const time = DateTime.fromISO(form[field], { zone: zoneOk ? form.timezone : 'UTC' });
      if (!time.isValid || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(form[field]))
        errors[field] = 'Enter a date and a time, e.g. 2026-12-02 22:00.';
      else dto[field === 'starts' ? 'starts_at' : 'ends_at'] = time.toISO({ suppressMilliseconds: true })!;
    }
  } else {
    dto.cron = form.cron;
    if (form.duration_min === '') errors.duration_min = 'This field is required.';
    else if (!/^\d{1,6}$/.test(form.duration_min)) errors.duration_min = 'Must be a whole number of minutes.';
    else dto.duration_min = Number(form.duration_min);
    dto.timezone = form.timezone;
  }
  if (form.all) dto.all = true;
  if (form.monitor_ids.length > 0) dto.monitor_ids = form.monitor_ids;
  if (form.services !== '') dto.services = form.services;
  if (form.agent_ids.length > 0) dto.agent_ids = form.agent_ids;
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, dto };
}

/** Errors keyed by the API's field names, keyed by the form's. */
export function formFieldErrors(errors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [FORM_FIELD[field] ?? field, message]));
}

/** `At 02:00, only on Sunday` (null when the line cannot be read: the cron field's own error says why). */
export function describeCron(cron: string): string | null {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true, throwExceptionOnParseError: true, verbose: false });
  } catch {
    return null;
  }
}

/** An occurrence as the page shows it: in `zone`, named (the page puts the UTC times in titles). */
export function occurrenceView(occurrence: Occurrence, zone: string) {
  const start = DateTime.fromMillis(occurrence.start, { zone });
  const end = DateTime.fromMillis(occurrence.end, { zone });
  const sameDay = start.hasSame(end, 'day');
  return {
    start: occurrence.start,
    end: occurrence.end,
    text: `${start.toFormat('ccc yyyy-MM-dd HH:mm')} – ${end.toFormat(sameDay ? 'HH:mm' : 'ccc yyyy-MM-dd HH:mm')} ${zoneName(zone)}`,
  };
}

/** `UTC`, or the IANA name (`Europe/Berlin`): unambiguous, unlike `CET` or `GMT+1`. */
function zoneName(zone: string): string {
  return zone === 'Etc/UTC' || zone === 'Etc/GMT' ? 'UTC' : zone;
}

/** The next `count` occurrences of a recurring window, starting after `now`. */
export function nextOccurrences(next: (after: number) => Occurrence | null, now: number, count: number): Occurrence[] {
  const found: Occurrence[] = [];
  let after = now;
  while (found.length < count) {
    const occurrence = next(after);
    if (!occurrence) break;
    found.push(occurrence);
    after = occurrence.start;
  }
  return found;
}
