import type { EntityManager } from 'typeorm';
import { SHARD_COUNT, shardOf } from './shard-of.js';

/** The lease a decision was made under: its shard and the holder's epoch (the fencing token). */
export interface Fence {
  shard: number;
  epoch: number;
}

/**
 * A feature's part in the cluster. Every server keeps every feature's state in memory (so any server
 * answers reads); a server *decides* (judges deadlines, runs checks, changes states, queues alerts) only
 * for the shards handed to it:
 * - `prepare`: shards about to become this server's: load what they need from the database, which holds
 *   the previous holder's last word;
 * - `take`: they are this server's now: start deciding (schedule checks, judge what is due);
 * - `drop`: they are not (released, taken over, or this server lost PostgreSQL): stop deciding at once;
 *   resolve once what was decided for them is written.
 */
export interface ShardWork {
  prepare(shards: ReadonlySet<number>): Promise<void>;
  take(shards: ReadonlySet<number>): void;
  drop(shards: ReadonlySet<number>): void | Promise<void>;
  /** What this feature decides for now, for GET /api/cluster (`{"monitors": 40}`). */
  describe?(): Record<string, number>;
}

/** What a feature asks before it decides. */
export interface OwnedShards {
  /** Several servers may share the database (PostgreSQL); false on SQLite, where this server decides everything. */
  readonly clustered: boolean;
  /** Other servers are alive now: work for this server's shards may be arriving through them. */
  readonly shared: boolean;
  /** This server decides for the shard of `key` now (its lease is valid and the feature has taken the shard). */
  owns(key: string): boolean;
  ownsShard(shard: number): boolean;
  /** The lease a decision about `key` is made under, or null when this server does not decide for it. */
  fence(key: string): Fence | null;
  /**
   * The epoch this server holds the shard's lease under (also while the feature is still preparing it),
   * or null when it holds none; what a write of the feature's state is fenced with.
   */
  leaseEpoch(shard: number): number | null;
  /** The feature has loaded its state: shards may be handed to it (prepare, then take). */
  ready(): Promise<void>;
}

/**
 * Who decides what (SPEC §12). On SQLite this server decides everything; on PostgreSQL the cluster
 * membership hands each feature the shards this server holds leases on.
 */
export abstract class Ownership {
  abstract readonly clustered: boolean;
  /** Registers a feature's work; call `ready()` on the answer once the feature has loaded. */
  abstract join(name: string, work: ShardWork): OwnedShards;
  /**
   * The lease this server decides `key` under right now, whichever feature decides it; null when it does
   * not. Asked while a decision is being made (an event handler on the decision's emit).
   */
  abstract fenceOf(key: string): Fence | null;
  /**
   * Within a transaction that makes a decision visible (queues an alert): fails unless the lease it was
   * decided under is still the current one (no other server has taken the shard since).
   */
  abstract assertFence(manager: EntityManager, fence: Fence): Promise<void>;
  /**
   * Within a transaction that writes state decided under these leases: the shards whose lease is still
   * held under the given epoch (locked until the transaction ends, so a takeover waits for it). Writes for
   * the others must be left out: another server decides them now, from what the database held.
   */
  abstract stillHeld(manager: EntityManager, fences: readonly Fence[]): Promise<Set<number>>;
}

/** Every shard number. */
export const ALL_SHARDS: ReadonlySet<number> = new Set(Array.from({ length: SHARD_COUNT }, (_, shard) => shard));

/** SQLite: one server, which decides everything, from the moment each feature is ready. */
export class SoleOwnership extends Ownership {
  readonly clustered = false;

  join(_name: string, work: ShardWork): OwnedShards {
    let taken = false;
    return {
      clustered: false,
      shared: false,
      owns: () => taken,
      ownsShard: () => taken,
      fence: (key) => (taken ? { shard: shardOf(key), epoch: 0 } : null),
      leaseEpoch: () => 0,
      ready: async () => {
        if (taken) return;
        await work.prepare(ALL_SHARDS);
        taken = true;
        work.take(ALL_SHARDS);
      },
    };
  }

  fenceOf(key: string): Fence {
    return { shard: shardOf(key), epoch: 0 };
  }

  async assertFence(): Promise<void> {
    // One server: nobody else can have taken over.
  }

  async stillHeld(_manager: EntityManager, fences: readonly Fence[]): Promise<Set<number>> {
    return new Set(fences.map((fence) => fence.shard));
  }
}

/** A decision refused because another server holds the shard now. */
export class FenceLost extends Error {
  override name = 'FenceLost';
}
