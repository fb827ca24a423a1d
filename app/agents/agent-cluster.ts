import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { Ownership, type OwnedShards, type ShardWork } from '../cluster/ownership.js';
import { shardOf, workKey } from '../cluster/shard-of.js';
import { AgentRuntime } from './agent-runtime.service.js';
import { AgentRepository } from './agent.repository.js';

/** Notices from other servers are read back in batches at most this often. */
const READ_BACK_WINDOW_MS = 100;
const DROP_FLUSH_MS = 5000;

const agentShard = (id: number) => shardOf(workKey.agent(id));

/**
 * The agents' part in the cluster (SPEC §12). Any server takes an agent's reports and stores them; the
 * agent's shard decides which server judges its thresholds and its silence and writes its state. Servers
 * tell each other what they wrote (`agents`: bound, changed, deleted; `agent-reports`; `agent-states`)
 * and read it back. On SQLite this server decides everything.
 */
@Injectable()
export class AgentCluster implements ShardWork, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Agents');
  private readonly owned: OwnedShards;
  private readonly pending = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly runtime: AgentRuntime,
    private readonly repository: AgentRepository,
    private readonly ownership: Ownership,
    private readonly bus: ClusterBus,
  ) {
    this.owned = ownership.join('agents', this);
    if (!this.owned.clustered) return;
    runtime.attachCluster({
      decides: (id) => this.owned.owns(workKey.agent(id)),
      mayWriteState: async (id, manager) => {
        const shard = agentShard(id);
        const epoch = this.owned.leaseEpoch(shard);
        return epoch !== null && (await this.ownership.stillHeld(manager, [{ shard, epoch }])).has(shard);
      },
      statesWritten: (ids) => this.tell('agent-states', ids),
      reportsWritten: (ids) => this.tell('agent-reports', ids),
      agentChanged: (id) => this.tell('agents', [id]),
    });
    for (const topic of ['agents', 'agent-states', 'agent-reports'])
      bus.subscribe<{ ids?: number[] }>(topic, ({ ids }) => this.readBack(ids ?? []));
    bus.onResync(() => void this.repository.findAll().then((rows) => this.readBack(rows.map((row) => row.id))));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.owned.ready();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** A user changed an agent here (settings, deleted): the other servers read it back. */
  changed(id: number): void {
    if (this.owned.clustered) this.tell('agents', [id]);
  }

  async prepare(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.runtime.refresh(await this.repository.findAll(), (id) => shards.has(agentShard(id)));
  }

  take(shards: ReadonlySet<number>): void {
    if (this.owned.clustered) this.runtime.startDeciding((id) => shards.has(agentShard(id)));
  }

  async drop(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.runtime.stopDeciding((id) => shards.has(agentShard(id)));
    await Promise.race([this.runtime.flushWrites(), new Promise((resolve) => setTimeout(resolve, DROP_FLUSH_MS).unref())]);
  }

  describe(): Record<string, number> {
    return { agents: this.runtime.decidedCount() };
  }

  private tell(topic: string, ids: number[]): void {
    if (ids.length === 0) return;
    void this.bus
      .publishList(topic, 'ids', ids)
      .catch((error: Error) => this.logger.warn(`could not tell the other servers: ${error.message}`));
  }

  private readBack(ids: number[]): void {
    for (const id of ids) if (Number.isSafeInteger(id)) this.pending.add(id);
    if (this.timer || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const batch = [...this.pending];
      this.pending.clear();
      this.reading = this.reading
        .then(async () => {
          const rows = await this.repository.findByIds(batch);
          const found = new Set(rows.map((row) => row.id));
          for (const row of rows) this.runtime.mirror(row);
          for (const id of batch) if (!found.has(id)) this.runtime.remove(id);
        })
        .catch((error: Error) => {
          this.logger.warn(`could not read back what another server wrote: ${error.message}`);
          setTimeout(() => this.readBack(batch), 1000).unref();
        });
    }, READ_BACK_WINDOW_MS);
    this.timer.unref();
  }
}
