import { CronExpressionParser } from 'cron-parser';
import { ServiceGlob } from '../runtime/service-glob.js';
import type { FieldError } from '../runtime/validation-failure.js';

/** A maintenance window as the rules need it (see MaintenanceWindowRow for the stored form). */
export interface MaintenanceWindow {
  id: number;
  name: string;
  /** One-off window, epoch ms. */
  startsAt: number | null;
  endsAt: number | null;
  /** Recurring window: a cron expression, how long each occurrence lasts, in which time zone. */
  cron: string | null;
  durationMin: number | null;
  timezone: string;
  all: boolean;
  monitorIds: number[];
  services: string | null;
  agentIds: number[];
}

export interface Occurrence {
  start: number;
  end: number;
}

/** What a window may cover: a monitor, a heartbeat service, an agent. */
export type MaintenanceSubject = { monitorId: number } | { service: string } | { agentId: number };

/** The occurrence of the window that contains `now`, or null. */
export function occurrenceAt(window: MaintenanceWindow, now: number): Occurrence | null {
  if (window.cron === null) {
    return window.startsAt !== null && window.endsAt !== null && window.startsAt <= now && now < window.endsAt
      ? { start: window.startsAt, end: window.endsAt }
      : null;
  }
  // The latest start at or before now; the occurrence is on while its duration lasts.
  const start = CronExpressionParser.parse(window.cron, { currentDate: new Date(now + 1), tz: window.timezone })
    .prev()
    .getTime();
  const end = start + window.durationMin! * 60_000;
  return now < end ? { start, end } : null;
}

/** The next occurrence that starts after `now`, or null (a one-off window that is over or on). */
export function nextOccurrence(window: MaintenanceWindow, now: number): Occurrence | null {
  if (window.cron === null)
    return window.startsAt !== null && window.startsAt > now ? { start: window.startsAt, end: window.endsAt! } : null;
  const start = CronExpressionParser.parse(window.cron, { currentDate: new Date(now), tz: window.timezone })
    .next()
    .getTime();
  return { start, end: start + window.durationMin! * 60_000 };
}

/** Scope test, with the service glob compiled once per window. */
export class WindowScope {
  private readonly serviceMatcher: ServiceGlob | null;
  private readonly monitors: Set<number>;
  private readonly agents: Set<number>;

  constructor(readonly window: MaintenanceWindow) {
    this.serviceMatcher = window.services ? new ServiceGlob(window.services) : null;
    this.monitors = new Set(window.monitorIds);
    this.agents = new Set(window.agentIds);
  }

  covers(subject: MaintenanceSubject): boolean {
    if (this.window.all) return true;
    if ('monitorId' in subject) return this.monitors.has(subject.monitorId);
    if ('agentId' in subject) return this.agents.has(subject.agentId);
    return this.serviceMatcher !== null && this.serviceMatcher.test(subject.service);
  }
}

/** Why a cron expression or time zone cannot be used (naming the field), or null. */
export function scheduleProblem(cron: string, timezone: string): FieldError | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    return { field: 'timezone', message: `"${timezone}" is not a time zone (use an IANA name like "Europe/Berlin" or "UTC")` };
  }
  if (cron.trim().split(/\s+/).length !== 5)
    return { field: 'cron', message: 'must have five fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * 0"' };
  try {
    CronExpressionParser.parse(cron, { tz: timezone }).next();
    return null;
  } catch (error) {
    return { field: 'cron', message: (error as Error).message };
  }
}
