import type { ServiceSnapshot } from '../heartbeats/service-record.js';
import { globVariables } from '../runtime/service-glob.js';
import type { AlarmStateChanged } from './alarm.events.js';
import { AlarmMatcher, type AlarmDefinition } from './alarm-pattern.js';
import type { HeartbeatAlarmEntity } from './alarm.entity.js';

export type AlarmState = 'ok' | 'error';

/** An alarm as everything outside the alarm book sees it: read-only. */
export interface AlarmSnapshot {
  readonly name: string;
  readonly state: AlarmState;
  readonly incidentNbr: number;
  /** Its services' names, in the order they joined. */
  readonly members: ReadonlySet<string>;
  /** Its services in error. */
  readonly failed: ReadonlySet<string>;
  readonly definition: Readonly<AlarmDefinition>;
  readonly lastStateChange: number;
  readonly createdAt: number;
}

/** The longest alarm name kept (the column's size); a template filled with long segments beyond it is skipped. */
const MAX_ALARM_NAME = 512;

export class AlarmRecord implements AlarmSnapshot {
  state: AlarmState = 'ok';
  incidentNbr = 0;
  readonly members = new Set<string>();
  /** Members in error: an alarm is in error exactly while this is not empty. */
  readonly failed = new Set<string>();

  constructor(
    readonly name: string,
    public definition: AlarmDefinition,
    public lastStateChange: number,
    readonly createdAt: number,
  ) {}

  toEntity(): HeartbeatAlarmEntity {
    return {
      name: this.name,
      definition: this.definition.name,
      state: this.state,
      incidentNbr: this.incidentNbr,
      lastStateChange: this.lastStateChange,
      createdAt: this.createdAt,
    };
  }
}

export interface AlarmBookHooks {
  changed(alarm: AlarmRecord): void;
  removed(name: string): void;
  stateChanged(event: AlarmStateChanged): void;
  /** Whether this server judges the alarm (several servers: its shard's holder); true when left out. */
  decides?(name: string): boolean;
}

/**
 * Alarms in memory: definitions (config first, then API) and the alarms made from them, created lazily
 * when a first matching service appears. Membership is worked out once per service (when it appears or
 * the definitions change), so a beat costs nothing here unless its service changes state.
 */
export class AlarmBook {
  private matchers: AlarmMatcher[] = [];
  /** Patterns without `*` or `$var`: service names an alarm spells out. */
  private exactNames = new Set<string>();
  private readonly alarms = new Map<string, AlarmRecord>();
  private changes = 0;
  /** Saved alarms waiting for their first member after a restart (state and incident number kept). */
  private readonly saved = new Map<string, HeartbeatAlarmEntity>();

  constructor(private readonly hooks: AlarmBookHooks) {}

  /** Every alarm, read-only. */
  get all(): ReadonlyMap<string, AlarmSnapshot> {
    return this.alarms;
  }

  /** Changes whenever an alarm is made or deleted (readers keep their order of names until it does). */
  get version(): number {
    return this.changes;
  }

  /** The alarm's own, changeable record (for saving it). */
  record(name: string): AlarmRecord | undefined {
    return this.alarms.get(name);
  }

  get definitions(): AlarmDefinition[] {
    return this.matchers.map((matcher) => matcher.definition);
  }

  definition(name: string): AlarmDefinition | undefined {
    return this.matchers.find((matcher) => matcher.definition.name === name)?.definition;
  }

  setDefinitions(definitions: AlarmDefinition[]): void {
    this.matchers = definitions.map((definition) => new AlarmMatcher(definition));
    this.exactNames = new Set(
      definitions
        .flatMap((definition) => [definition.pattern, ...definition.includes])
        .filter((pattern) => pattern !== '' && !pattern.includes('*') && globVariables(pattern).length === 0),
    );
  }

  /** True when an alarm's pattern is exactly this service's name (no `*` or `$var`). */
  namesExactly(serviceName: string): boolean {
    return this.exactNames.has(serviceName);
  }

  /** Saved rows from the database, restored as their first member joins. */
  restore(rows: HeartbeatAlarmEntity[]): void {
    for (const row of rows) this.saved.set(row.name, row);
  }

  /**
   * After start-up joins: saved alarms without services come back empty while their definition exists
   * (Lovebeat keeps them until DELETE); the names of those whose definition is gone are returned.
   */
  finishRestore(): string[] {
    const gone: string[] = [];
    for (const [name, row] of this.saved) {
      if (this.alarms.has(name)) continue;
      const definition = this.definition(row.definition);
      if (!definition) {
        gone.push(name);
        continue;
      }
      const alarm = new AlarmRecord(name, definition, row.lastStateChange, row.createdAt);
      alarm.incidentNbr = row.incidentNbr;
      this.alarms.set(name, alarm);
      this.changes++;
      if (row.state !== 'ok') this.hooks.changed(alarm);
    }
    this.saved.clear();
    return gone;
  }

  alarmNamesFor(serviceName: string): string[] {
    const names: string[] = [];
    for (const matcher of this.matchers) {
      const name = matcher.alarmFor(serviceName);
      if (name !== null && name.length <= MAX_ALARM_NAME && !names.includes(name)) names.push(name);
    }
    return names;
  }

  /**
   * Puts the service into every alarm it matches, creating alarms as needed; returns their names.
   * `quiet` defers evaluation (start-up).
   */
  join(service: ServiceSnapshot, now: number, quiet = false): string[] {
    const names = this.alarmNamesFor(service.name);
    for (const name of names) {
      let alarm = this.alarms.get(name);
      const created = !alarm && !this.saved.has(name);
      if (!alarm) {
        alarm = this.create(name, service.name, now);
        this.alarms.set(name, alarm);
        this.changes++;
        this.hooks.changed(alarm);
      }
      alarm.members.add(service.name);
      if (service.state === 'error') alarm.failed.add(service.name);
      // A new alarm starts in the state of its first member: creation is not an incident.
      if (created) alarm.state = alarm.failed.size > 0 ? 'error' : 'ok';
      else if (!quiet) this.evaluate(alarm, now);
    }
    return names;
  }

  /**
   * The definitions changed: moves the service (in `service.alarms` so far) between alarms without
   * flapping the ones it stays in; returns the names of those it is in now.
   */
  rejoin(service: ServiceSnapshot, now: number): string[] {
    const wanted = this.alarmNamesFor(service.name);
    const leaving = service.alarms.filter((name) => !wanted.includes(name));
    if (leaving.length === 0 && wanted.length === service.alarms.length) return wanted;
    this.removeMember(service.name, leaving, now);
    return this.join(service, now);
  }

  /** The service (in `service.alarms`) is gone. */
  leave(service: ServiceSnapshot, now: number): void {
    this.removeMember(service.name, service.alarms, now);
  }

  private removeMember(serviceName: string, alarmNames: readonly string[], now: number): void {
    for (const name of alarmNames) {
      const alarm = this.alarms.get(name);
      if (!alarm) continue;
      alarm.members.delete(serviceName);
      alarm.failed.delete(serviceName);
      this.evaluate(alarm, now);
    }
  }

  /** The service (in `service.alarms`) has a new state. */
  serviceStateChanged(service: ServiceSnapshot, now: number): void {
    for (const name of service.alarms) {
      const alarm = this.alarms.get(name);
      if (!alarm) continue;
      if (service.state === 'error') alarm.failed.add(service.name);
      else alarm.failed.delete(service.name);
      this.evaluate(alarm, now);
    }
  }

  evaluateAll(now: number, which: (name: string) => boolean = () => true): void {
    for (const alarm of this.alarms.values()) if (which(alarm.name)) this.evaluate(alarm, now);
  }

  /**
   * What the database holds for an alarm (its deciding server's word): state, incident number and when it
   * last changed replace what this server kept (members stay this server's own reckoning). Returns whether
   * the state changed. An alarm not made here yet is restored as its first member joins.
   */
  assign(row: HeartbeatAlarmEntity): boolean {
    const alarm = this.alarms.get(row.name);
    if (!alarm) {
      this.saved.set(row.name, row);
      return false;
    }
    const from = alarm.state;
    alarm.state = row.state === 'error' ? 'error' : 'ok';
    alarm.incidentNbr = row.incidentNbr;
    alarm.lastStateChange = row.lastStateChange;
    return from !== alarm.state;
  }

  /** Deleted by another server (it had no members there): gone here too unless it has members here. */
  forgetDeleted(name: string): void {
    const alarm = this.alarms.get(name);
    this.saved.delete(name);
    if (alarm && alarm.members.size === 0) {
      this.alarms.delete(name);
      this.changes++;
    }
  }

  /** Deletes an alarm without members; false when it has some. */
  remove(name: string): boolean {
    const alarm = this.alarms.get(name);
    if (!alarm || alarm.members.size > 0) return false;
    this.alarms.delete(name);
    this.changes++;
    this.hooks.removed(name);
    return true;
  }

  private create(name: string, serviceName: string, now: number): AlarmRecord {
    const definition = this.matchers.find((matcher) => matcher.alarmFor(serviceName) === name)!.definition;
    const saved = this.saved.get(name);
    const alarm = new AlarmRecord(name, definition, saved?.lastStateChange ?? now, saved?.createdAt ?? now);
    if (saved) {
      alarm.state = saved.state === 'error' ? 'error' : 'ok';
      alarm.incidentNbr = saved.incidentNbr;
      this.saved.delete(name);
    }
    return alarm;
  }

  private evaluate(alarm: AlarmRecord, now: number): void {
    if (this.hooks.decides && !this.hooks.decides(alarm.name)) return;
    const state: AlarmState = alarm.failed.size > 0 ? 'error' : 'ok';
    if (state === alarm.state) return;
    const from = alarm.state;
    const since = alarm.lastStateChange;
    alarm.state = state;
    alarm.lastStateChange = now;
    if (state === 'error') alarm.incidentNbr++;
    this.hooks.changed(alarm);
    this.hooks.stateChanged({
      name: alarm.name,
      from,
      to: state,
      incidentNbr: alarm.incidentNbr,
      failedServices: [...alarm.failed].sort(),
      alerts: alarm.definition.alerts,
      at: now,
      since,
    });
  }
}
