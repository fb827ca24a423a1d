import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { Ownership, type OwnedShards, type ShardWork } from '../cluster/ownership.js';
import { ReadBack } from '../cluster/read-back.js';
import { settleWithin } from '../cluster/settle-within.js';
import { shardOf, workKey } from '../cluster/shard-of.js';
import { PollerRegistry } from './poller-registry.service.js';
import { PollerRepository } from './poller.repository.js';

const DROP_FLUSH_MS = 5000;

const pollerShard = (id: number) => shardOf(workKey.poller(id));

/**
 * The pollers' part in the cluster (SPEC §12). A poller may talk to any server: each one takes its
 * registration, tasks and results, and writes when it heard from it; the poller's shard decides which
 * server judges it offline or back online and writes that. Servers tell each other what they wrote
 * (`pollers`) and read it back, so every server marks the poller's sources unknown while it is offline.
 * On SQLite this server judges every poller.
 */
@Injectable()
export class PollerCluster implements ShardWork, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Pollers');
  private readonly owned: OwnedShards;
  /** Pollers other servers wrote, read back here. */
  private readonly written: ReadBack<number>;

  constructor(
    private readonly registry: PollerRegistry,
    private readonly repository: PollerRepository,
    private readonly ownership: Ownership,
    private readonly bus: ClusterBus,
  ) {
    this.owned = ownership.join('pollers', this);
    this.written = new ReadBack(async (ids) => {
      const rows = await this.repository.findByIds(ids);
      const found = new Set(rows.map((row) => row.id));
      for (const row of rows) this.registry.mirror(row);
      for (const id of ids) if (!found.has(id)) this.registry.forget(id);
    }, this.logger);
    if (!this.owned.clustered) return;
    registry.attachCluster({
      decides: (id) => this.owned.owns(workKey.poller(id)),
      mayWriteState: async (id, manager) => {
        const shard = pollerShard(id);
        const epoch = this.owned.leaseEpoch(shard);
        return epoch !== null && (await this.ownership.stillHeld(manager, [{ shard, epoch }])).has(shard);
      },
      changed: (id) =>
        void this.bus
          .publish('pollers', { ids: [id] })
          .catch((error: Error) => this.logger.warn(`could not tell the other servers: ${error.message}`)),
    });
    bus.subscribe<{ ids?: number[] }>('pollers', ({ ids }) => this.written.add((ids ?? []).filter((id) => Number.isSafeInteger(id))));
    bus.onResync(() => void this.repository.findAll().then((rows) => this.written.add(rows.map((row) => row.id))));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.owned.ready();
  }

  onApplicationShutdown(): void {
    this.written.stop();
  }

  async prepare(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.registry.refresh(await this.repository.findAll(), (id) => shards.has(pollerShard(id)));
  }

  take(shards: ReadonlySet<number>): void {
    if (this.owned.clustered) this.registry.startJudging((id) => shards.has(pollerShard(id)));
  }

  async drop(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.registry.stopJudging((id) => shards.has(pollerShard(id)));
    await settleWithin(this.registry.flushWrites(), DROP_FLUSH_MS);
  }

  describe(): Record<string, number> {
    return { pollers: this.registry.judgedCount() };
  }
}
