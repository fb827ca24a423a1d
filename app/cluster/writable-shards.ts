import type { EntityManager } from 'typeorm';
import type { Fence, OwnedShards, Ownership } from './ownership.js';

/**
 * The shards whose state a feature writes: those it decides, and those it is preparing (its last word is
 * written as it drops them). A write keeps only what `held` confirms in its own transaction: the
 * shards whose leases this server still holds under the epoch it decided with (locked until commit).
 */
export class WritableShards {
  private readonly shards = new Set<number>();

  constructor(
    private readonly ownership: Ownership,
    private readonly owned: OwnedShards,
  ) {}

  add(shards: Iterable<number>): void {
    for (const shard of shards) this.shards.add(shard);
  }

  delete(shards: Iterable<number>): void {
    for (const shard of shards) this.shards.delete(shard);
  }

  has(shard: number): boolean {
    return this.shards.has(shard);
  }

  get size(): number {
    return this.shards.size;
  }

  /** The leases writes are fenced with now. */
  fences(): Fence[] {
    const fences: Fence[] = [];
    for (const shard of this.shards) {
      const epoch = this.owned.leaseEpoch(shard);
      if (epoch !== null) fences.push({ shard, epoch });
    }
    return fences;
  }

  /** Within a write's transaction: the shards it may write for. */
  held(manager: EntityManager): Promise<Set<number>> {
    return this.ownership.stillHeld(manager, this.fences());
  }
}
