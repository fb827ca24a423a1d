import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { Ownership, type OwnedShards, type ShardWork } from '../cluster/ownership.js';
import { ReadBack } from '../cluster/read-back.js';
import { settleWithin } from '../cluster/settle-within.js';
import { shardOf, workKey } from '../cluster/shard-of.js';
import { WritableShards } from '../cluster/writable-shards.js';
import { OnPulseEvent } from '../events/pulse-events.js';
import type { MonitorChanged } from './monitor.events.js';
import { MonitorRepository } from './monitor.repository.js';
import { MonitorRuntime } from './monitor-runtime.service.js';
import { ResultRepository } from './result.repository.js';

const DROP_FLUSH_MS = 5000;

const monitorShard = (id: number) => shardOf(workKey.monitor(id));

type Topic = 'settings' | 'state' | 'results';

/**
 * The monitors' part in the cluster (SPEC §12). Every server keeps every monitor and records the results
 * reported to it; a monitor's shard decides which server runs its public checks, judges its state and
 * writes it. Servers tell each other through the bus what they wrote — a user's change (`monitors`), a
 * state (`monitor-states`), results (`monitor-results`) — and read it back: the deciding server judges
 * again with results another server took, the others show what it decided. On SQLite this server decides
 * everything.
 */
@Injectable()
export class MonitorCluster implements ShardWork, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Monitors');
  private readonly owned: OwnedShards;
  /** Shards whose monitors' states this server writes: those it decides, and those it is preparing. */
  private readonly writable: WritableShards;
  /** What other servers wrote (`settings:12`, `state:12`, `results:12`), read back here. */
  private readonly written: ReadBack<string>;

  constructor(
    private readonly runtime: MonitorRuntime,
    private readonly monitors: MonitorRepository,
    private readonly results: ResultRepository,
    private readonly ownership: Ownership,
    private readonly bus: ClusterBus,
  ) {
    this.owned = ownership.join('monitors', this);
    this.writable = new WritableShards(ownership, this.owned);
    this.written = new ReadBack((keys) => this.apply(keys), this.logger);
    if (!this.owned.clustered) return;
    runtime.attachCluster({
      decides: (id) => this.owned.owns(workKey.monitor(id)),
      writableStates: async (manager, ids) => {
        const held = await this.writable.held(manager);
        return new Set(ids.filter((id) => held.has(monitorShard(id))));
      },
      statesWritten: (ids, manager) => this.bus.publishList('monitor-states', 'ids', ids, {}, manager),
      resultsWritten: (ids) =>
        void this.bus
          .publishList('monitor-results', 'ids', ids)
          .catch((error: Error) => this.logger.warn(`could not tell the other servers: ${error.message}`)),
    });
    bus.subscribe<{ ids?: number[] }>('monitors', ({ ids }) => this.readBack('settings', ids));
    bus.subscribe<{ ids?: number[] }>('monitor-states', ({ ids }) => this.readBack('state', ids));
    bus.subscribe<{ ids?: number[] }>('monitor-results', ({ ids }) => this.readBack('results', ids));
    bus.onResync(() => void this.readAll());
  }

  /** After the runtime has loaded every monitor: this server may be handed monitors to decide. */
  async onApplicationBootstrap(): Promise<void> {
    await this.owned.ready();
  }

  onApplicationShutdown(): void {
    this.written.stop();
  }

  /** A user changed a monitor here (made, edited, paused, resumed, deleted, assigned to pollers): the other servers read it back. */
  @OnPulseEvent('monitor.changed')
  async onMonitorChanged({ monitorId }: MonitorChanged): Promise<void> {
    if (!this.owned.clustered) return;
    await this.bus
      .publish('monitors', { ids: [monitorId] })
      .catch((error: Error) => this.logger.warn(`could not tell the other servers: ${error.message}`));
  }

  // ---- ShardWork -----------------------------------------------------------------------------------------

  async prepare(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.writable.add(shards);
    const monitors = (await this.monitors.findAll()).filter((monitor) => shards.has(monitorShard(monitor.id)));
    const ids = monitors.map((monitor) => monitor.id);
    const [sources, open] = await Promise.all([this.results.sourcesOfMonitors(ids), this.monitors.openIncidentMonitorIds(ids)]);
    this.runtime.refresh(monitors, sources, open, (id) => shards.has(monitorShard(id)));
  }

  take(shards: ReadonlySet<number>): void {
    // One server: the runtime scheduled every monitor as it loaded.
    if (this.owned.clustered) this.runtime.startDeciding((id) => shards.has(monitorShard(id)));
  }

  async drop(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.runtime.stopDeciding((id) => shards.has(monitorShard(id)));
    // What was decided for them is written while the leases still hold (the state writer checks them).
    await settleWithin(this.runtime.flushWrites(), DROP_FLUSH_MS);
    this.writable.delete(shards);
  }

  describe(): Record<string, number> {
    return { monitors: this.runtime.scheduledCount() };
  }

  // ---- reading back what the others wrote -----------------------------------------------------------------

  private readBack(topic: Topic, ids: number[] | undefined): void {
    this.written.add((ids ?? []).filter((id) => Number.isSafeInteger(id)).map((id) => `${topic}:${id}`));
  }

  private async apply(keys: string[]): Promise<void> {
    const batch: Record<Topic, number[]> = { settings: [], state: [], results: [] };
    for (const key of keys) {
      const [topic, id] = key.split(':') as [Topic, string];
      batch[topic].push(Number(id));
    }
    const changed = [...new Set([...batch.settings, ...batch.state])];
    if (changed.length > 0) {
      const [monitors, open] = await Promise.all([this.monitors.findByIds(changed), this.monitors.openIncidentMonitorIds(changed)]);
      const found = new Set(monitors.map((monitor) => monitor.id));
      for (const monitor of monitors)
        this.runtime.mirror(monitor, open.has(monitor.id), batch.settings.includes(monitor.id) ? 'settings' : 'state');
      // Deleted on another server.
      for (const id of batch.settings) if (!found.has(id)) this.runtime.remove(id);
    }
    if (batch.results.length > 0) this.runtime.learnSources(await this.results.sourcesOfMonitors(batch.results));
  }

  /** Notices may have been missed (the connection dropped): every monitor is read back. */
  private async readAll(): Promise<void> {
    const monitors = await this.monitors.findAll();
    const ids = monitors.map((monitor) => monitor.id);
    const gone = this.runtime.monitorIds().filter((id) => !ids.includes(id));
    this.readBack('state', ids);
    this.readBack('settings', gone);
    this.readBack('results', ids);
  }
}
