import type { EntityManager } from 'typeorm';

/**
 * How the runtime takes part in a cluster (MonitorCluster, on PostgreSQL); without it this server decides
 * every monitor. A monitor's shard decides which server runs its public checks and judges its state;
 * every server keeps every monitor and records results reported to it.
 */
export interface RuntimeCluster {
  decides(monitorId: number): boolean;
  /** Within the state writer's transaction: of these monitors, those whose state this server may still write. */
  writableStates(manager: EntityManager, monitorIds: number[]): Promise<Set<number>>;
  /** Within the same transaction: tell the others these states changed. */
  statesWritten(monitorIds: number[], manager: EntityManager): Promise<void>;
  /** Results of these monitors were stored. */
  resultsWritten(monitorIds: number[]): void;
}

/** One server, no cluster attached: it decides and writes every monitor. */
export const SOLE_SERVER: RuntimeCluster = {
  decides: () => true,
  writableStates: async (_manager, ids) => new Set(ids),
  statesWritten: async () => undefined,
  resultsWritten: () => undefined,
};
