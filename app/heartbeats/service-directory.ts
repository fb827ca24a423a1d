import type { ServiceRecord, ServiceSnapshot } from './service-record.js';

const inOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The heartbeat services in memory, by name, with an index of their names in order. The engine adds and
 * removes services on the beat path, so the index costs nothing there: a new name is only noted, and
 * the next reader in order sorts the few new names and merges them into the kept order (O(n + k log k)),
 * instead of sorting all n names per request. Readers get it as a read-only map.
 */
export class ServiceDirectory implements ReadonlyMap<string, ServiceSnapshot> {
  private readonly byName = new Map<string, ServiceRecord>();
  /** Names in order as of the last refresh; may still hold names deleted since (skipped on refresh). */
  private ordered: string[] = [];
  /** Names added since the last refresh, in no order. */
  private added: string[] = [];
  private deletedSinceRefresh = 0;

  get size(): number {
    return this.byName.size;
  }

  /** The engine's own, changeable record. */
  record(name: string): ServiceRecord | undefined {
    return this.byName.get(name);
  }

  /** The engine's own records, in no order. */
  records(): MapIterator<ServiceRecord> {
    return this.byName.values();
  }

  add(record: ServiceRecord): void {
    this.byName.set(record.name, record);
    this.added.push(record.name);
  }

  delete(name: string): boolean {
    const deleted = this.byName.delete(name);
    if (deleted) this.deletedSinceRefresh++;
    return deleted;
  }

  /** Every name, in order (code-unit order, as Lovebeat lists them); refreshed only after changes. */
  sortedNames(): readonly string[] {
    if (this.added.length === 0 && this.deletedSinceRefresh === 0) return this.ordered;
    const added = this.added.sort(inOrder);
    const merged: string[] = [];
    let left = 0;
    let right = 0;
    const take = (name: string) => {
      // A name deleted and added again since the last refresh is in both lists (or twice in `added`).
      if (this.byName.has(name) && merged[merged.length - 1] !== name) merged.push(name);
    };
    while (left < this.ordered.length || right < added.length) {
      if (right >= added.length || (left < this.ordered.length && this.ordered[left]! <= added[right]!)) take(this.ordered[left++]!);
      else take(added[right++]!);
    }
    this.ordered = merged;
    this.added = [];
    this.deletedSinceRefresh = 0;
    return this.ordered;
  }

  // ---- ReadonlyMap: what readers outside the engine get ---------------------------------------------

  get(name: string): ServiceSnapshot | undefined {
    return this.byName.get(name);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  keys(): MapIterator<string> {
    return this.byName.keys();
  }
  values(): MapIterator<ServiceSnapshot> {
    return this.byName.values();
  }
  entries(): MapIterator<[string, ServiceSnapshot]> {
    return this.byName.entries();
  }
  forEach(callback: (value: ServiceSnapshot, key: string, map: ReadonlyMap<string, ServiceSnapshot>) => void): void {
    for (const [name, record] of this.byName) callback(record, name, this);
  }
  [Symbol.iterator](): MapIterator<[string, ServiceSnapshot]> {
    return this.byName.entries();
  }
}
