import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsTransformer } from '../database/columns.js';

/**
 * One report of one agent, kept `[agents] retention_days`. The key (agent, collected_at by the agent's
 * clock) makes a report replayed from the agent's outbox, or sent again after a lost answer, a no-op:
 * it is stored, and counted in the buckets, once.
 */
@Entity({ name: 'agent_samples' })
export class AgentSample {
  @PrimaryColumn({ name: 'agent_id', type: 'integer', primaryKeyConstraintName: 'PK_agent_samples' })
  agentId!: number;

  @PrimaryColumn({ name: 'collected_at', type: 'bigint', primaryKeyConstraintName: 'PK_agent_samples', transformer: epochMsTransformer })
  collectedAt!: number;

  /** When it was collected by the server's clock (collected_at less the agent's skew): history and retention use it. */
  @Index('IDX_agent_samples_at')
  @Column({ type: 'bigint', transformer: epochMsTransformer })
  at!: number;

  @Column({ name: 'received_at', type: 'bigint', transformer: epochMsTransformer })
  receivedAt!: number;

  /** The report as sent (JSON). */
  @Column({ type: 'text' })
  report!: string;
}
