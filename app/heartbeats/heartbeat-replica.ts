import type { Clock } from '../runtime/clock.js';
import { applyForwarded, type Reason, type Transport } from './heartbeat-commands.js';
import type { HeartbeatInboxRow } from './heartbeat-inbox.entity.js';
import type { HeartbeatServiceEntity } from './heartbeat-service.entity.js';
import type { ServiceRecord } from './service-record.js';

/**
 * The engine's own operations the cluster side is handed (and no one else): each keeps the engine's books
 * right (the count in error, alarm membership, deadlines), so HeartbeatReplica only decides when to use them.
 */
export interface ReplicaHost {
  record(name: string): ServiceRecord | undefined;
  records(): Iterable<ServiceRecord>;
  decides(name: string): boolean;
  /** The service, created if new (null when refused: max_services). */
  obtain(name: string, at: number, transport: Transport): ServiceRecord | null;
  settle(service: ServiceRecord, now: number, reason: Reason): void;
  forget(service: ServiceRecord, now: number): void;
  /** What the database holds for a service replaces this server's copy (`tell`: pages hear of a new service or state). */
  adopt(row: HeartbeatServiceEntity, now: number, tell: boolean): void;
  judgeAt(name: string, at: number): void;
  stopJudging(name: string): void;
}

/** The heartbeat engine's part with several servers (HeartbeatCluster calls it): this server's copy of every service follows the servers that decide them. */
export class HeartbeatReplica {
  constructor(
    private readonly engine: ReplicaHost,
    private readonly clock: Clock,
  ) {}

  /**
   * Commands another server took for services this one decides, oldest first: applied as if taken here at
   * their own time (a beat counts from when it was received). Returns the names they touched (to save).
   */
  applyForwarded(commands: readonly HeartbeatInboxRow[]): string[] {
    const now = this.clock.now();
    const touched = new Set<string>();
    for (const command of commands) {
      const service =
        this.engine.record(command.name) ?? (command.command === 'delete' ? null : this.engine.obtain(command.name, command.at, 'http'));
      if (!service) continue;
      touched.add(command.name);
      if (command.command === 'delete') this.engine.forget(service, now);
      else {
        const reason = applyForwarded(service, command);
        if (reason !== null) this.engine.settle(service, now, reason);
      }
    }
    return [...touched];
  }

  /**
   * This server is about to decide the services `inShard` selects: what the database holds for them (the
   * previous holder's last word) replaces what this server kept; those no longer there are gone.
   */
  refresh(rows: readonly HeartbeatServiceEntity[], inShard: (name: string) => boolean): void {
    const now = this.clock.now();
    const saved = new Set<string>();
    for (const row of rows) {
      if (!inShard(row.name)) continue;
      saved.add(row.name);
      this.engine.adopt(row, now, false);
    }
    for (const service of [...this.engine.records()])
      if (inShard(service.name) && !saved.has(service.name)) this.engine.forget(service, now);
  }

  /**
   * This server decides these services now: each is judged. One whose deadline passed meanwhile is judged
   * `graceMs` from now (beats taken elsewhere while nobody could decide may still be on their way in).
   */
  judge(inShard: (name: string) => boolean, graceMs: number): void {
    const now = this.clock.now();
    for (const service of [...this.engine.records()]) {
      if (!inShard(service.name)) continue;
      const deadline = service.state === 'ok' ? service.deadline() : null;
      if (graceMs > 0 && deadline !== null && deadline <= now && this.engine.decides(service.name))
        this.engine.judgeAt(service.name, now + graceMs);
      else this.engine.settle(service, now, 'restart');
    }
  }

  /** This server no longer decides these services: their deadlines are another server's to judge. */
  release(inShard: (name: string) => boolean): void {
    for (const service of this.engine.records()) if (inShard(service.name)) this.engine.stopJudging(service.name);
  }

  /**
   * What the deciding servers saved for these names (absent: deleted): this server's copies follow, so
   * any server answers reads; alarms hear of state changes, pages are told. Names decided here are skipped.
   */
  mirror(rows: readonly HeartbeatServiceEntity[], names: readonly string[]): void {
    const now = this.clock.now();
    const byName = new Map(rows.map((row) => [row.name, row]));
    for (const name of names) {
      if (this.engine.decides(name)) continue;
      const row = byName.get(name);
      if (row) this.engine.adopt(row, now, true);
      else {
        const service = this.engine.record(name);
        if (service) this.engine.forget(service, now);
      }
    }
  }
}
