import type { ServiceSnapshot } from './service-record.js';

/**
 * Who groups heartbeat services — the alarms feature — as the engine sees it. The engine tells it,
 * synchronously, of every service it adds, drops or moves to another state, and keeps the group names it
 * answers (a service's `in_alarms`); it never reads or changes the groups itself. Heartbeats define this
 * port and alarms provide it, so alarms depend on heartbeats and not the other way round.
 */
export abstract class ServiceGroups {
  /** At start, before the engine restores its services: load what the groups need. */
  abstract load(): Promise<void>;
  /**
   * A service appeared (or was restored at start, `restoring`: evaluation waits for `restored`). Returns
   * the names of the groups it is in now.
   */
  abstract join(service: ServiceSnapshot, now: number, restoring: boolean): string[];
  /** The groups were redefined: the names of the groups it is in now (those it stays in do not flap). */
  abstract rejoin(service: ServiceSnapshot, now: number): string[];
  abstract leave(service: ServiceSnapshot, now: number): void;
  /** The service's state changed (it already has the new one). */
  abstract stateChanged(service: ServiceSnapshot, now: number): void;
  /** Every saved service was restored and joined at start. */
  abstract restored(now: number): void;
  /** Whether a group spells this service's name out (without `*` or `$var`): such a service is configured. */
  abstract namesExactly(name: string): boolean;
}

/** A server without alarms: services belong to no group. */
export const NO_GROUPS: ServiceGroups = {
  load: () => Promise.resolve(),
  join: () => [],
  rejoin: () => [],
  leave: () => undefined,
  stateChanged: () => undefined,
  restored: () => undefined,
  namesExactly: () => false,
};
