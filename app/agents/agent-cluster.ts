import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { Ownership, type OwnedShards, type ShardWork } from '../cluster/ownership.js';
import { ReadBack } from '../cluster/read-back.js';
import { settleWithin } from '../cluster/settle-within.js';
import { shardOf, workKey } from '../cluster/shard-of.js';
import { AgentRuntime } from './agent-runtime.service.js';
import { AgentRepository } from './agent.repository.js';

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
  /** Agents other servers wrote, read back here. */
  private readonly written: ReadBack<number>;

  constructor(
    private readonly runtime: AgentRuntime,
    private readonly repository: AgentRepository,
    private readonly ownership: Ownership,
    private readonly bus: ClusterBus,
  ) {
    this.owned = ownership.join('agents', this);
    this.written = new ReadBack(async (ids) => {
      const rows = await this.repository.findByIds(ids);
      const found = new Set(rows.map((row) => row.id));
      for (const row of rows) this.runtime.replica.mirror(row);
      for (const id of ids) if (!found.has(id)) this.runtime.remove(id);
    }, this.logger);
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
      bus.subscribe<{ ids?: number[] }>(topic, ({ ids }) => this.written.add((ids ?? []).filter((id) => Number.isSafeInteger(id))));
    bus.onResync(() => void this.repository.findAll().then((rows) => this.written.add(rows.map((row) => row.id))));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.owned.ready();
  }

  onApplicationShutdown(): void {
    this.written.stop();
  }

  /** A user changed an agent here (settings, deleted): the other servers read it back. */
  changed(id: number): void {
    if (this.owned.clustered) this.tell('agents', [id]);
  }

  async prepare(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.runtime.replica.refresh(await this.repository.findAll(), (id) => shards.has(agentShard(id)));
  }

  take(shards: ReadonlySet<number>): void {
    if (this.owned.clustered) this.runtime.replica.startDeciding((id) => shards.has(agentShard(id)));
  }

  async drop(shards: ReadonlySet<number>): Promise<void> {
    if (!this.owned.clustered) return;
    this.runtime.replica.stopDeciding((id) => shards.has(agentShard(id)));
    await settleWithin(this.runtime.flushWrites(), DROP_FLUSH_MS);
  }

  describe(): Record<string, number> {
    return { agents: this.runtime.replica.decidedCount() };
  }

  private tell(topic: string, ids: number[]): void {
    if (ids.length === 0) return;
    void this.bus
      .publishList(topic, 'ids', ids)
      .catch((error: Error) => this.logger.warn(`could not tell the other servers: ${error.message}`));
  }
}
