import type { ServiceRecord, ServiceSnapshot } from './service-record.js';

const inOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Pending changes beyond which the kept order is rebuilt instead of merged on every walk. */
const COMPACT_AFTER = 1024;

/**
 * The heartbeat services in memory, by name, with their names kept in order. The engine adds and removes
 * services on the beat path, so keeping the order costs nothing there: a new name is only noted, a
 * deleted one only counted. A reader in order merges the few new names into the kept order as it walks
 * (sorting just those), and skips deleted ones; after COMPACT_AFTER changes the order is rebuilt once. So
 * page 1 of 100,000 services costs the page, not a sort of all of them. Readers get a read-only map.
 */
export class ServiceDirectory implements ReadonlyMap<string, ServiceSnapshot> {
  private readonly byName = new Map<string, ServiceRecord>();
  /** Names in order as of the last rebuild; may still hold names deleted since (skipped). */
  private ordered: string[] = [];
  /** Names added since the last rebuild; sorted (and rid of repeats) when `addedSorted`. */
  private added: string[] = [];
  private addedSorted = true;
  private deletedSinceRebuild = 0;

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
    this.addedSorted = false;
  }

  delete(name: string): boolean {
    const deleted = this.byName.delete(name);
    if (deleted) this.deletedSinceRebuild++;
    return deleted;
  }

  /** Whether the kept order holds exactly the services, so a page can be cut from it by index. */
  get compact(): boolean {
    return this.added.length === 0 && this.deletedSinceRebuild === 0;
  }

  /** Every name in order (code-unit order, as Lovebeat lists them), rebuilding the kept order if needed. */
  sortedNames(): readonly string[] {
    if (!this.compact) this.rebuild();
    return this.ordered;
  }

  /** The services in name order (or reversed), walking the kept order and the new names together. */
  inOrder(descending = false): IterableIterator<ServiceSnapshot> {
    if (this.added.length + this.deletedSinceRebuild > COMPACT_AFTER) this.rebuild();
    return this.walk(descending);
  }

  /** `count` services from `offset` on, in name order (or reversed): cut from the kept order when it is exact. */
  slice(offset: number, count: number, descending = false): ServiceSnapshot[] {
    const services: ServiceSnapshot[] = [];
    // Walking far costs what a rebuild does, and the rebuild serves the next readers too.
    if (!this.compact && offset + count > COMPACT_AFTER) this.rebuild();
    if (this.compact) {
      const end = Math.min(this.ordered.length, offset + count);
      for (let index = offset; index < end; index++)
        services.push(this.byName.get(this.ordered[descending ? this.ordered.length - 1 - index : index]!)!);
      return services;
    }
    let index = 0;
    for (const service of this.inOrder(descending)) {
      if (index++ < offset) continue;
      if (services.length >= count) break;
      services.push(service);
    }
    return services;
  }

  private *walk(descending: boolean): IterableIterator<ServiceRecord> {
    const added = this.sortedAdded();
    const ordered = this.ordered;
    const step = descending ? -1 : 1;
    let left = descending ? ordered.length - 1 : 0;
    let right = descending ? added.length - 1 : 0;
    const inLeft = () => left >= 0 && left < ordered.length;
    const inRight = () => right >= 0 && right < added.length;
    while (inLeft() || inRight()) {
      let name: string;
      if (!inRight()) name = ordered[(left += step) - step]!;
      else if (!inLeft()) name = added[(right += step) - step]!;
      else {
        const order = step * inOrder(ordered[left]!, added[right]!);
        // A name deleted and added again since the rebuild is in both: give it once.
        if (order === 0) right += step;
        name = order <= 0 ? ordered[(left += step) - step]! : added[(right += step) - step]!;
      }
      const record = this.byName.get(name);
      if (record) yield record;
    }
  }

  private sortedAdded(): string[] {
    if (!this.addedSorted) {
      this.added.sort(inOrder);
      this.added = this.added.filter((name, index, all) => index === 0 || all[index - 1] !== name);
      this.addedSorted = true;
    }
    return this.added;
  }

  private rebuild(): void {
    const names: string[] = [];
    for (const record of this.walk(false)) names.push(record.name);
    this.ordered = names;
    this.added = [];
    this.addedSorted = true;
    this.deletedSinceRebuild = 0;
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
