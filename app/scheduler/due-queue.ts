/**
 * Keys ordered by when they are due: a binary min-heap with a position index, so scheduling,
 * rescheduling and removing a key are O(log n) and finding what is due is O(k log n) for k due keys.
 * Used for monitor check times and heartbeat deadlines: 100,000 entries cost nothing until they are due.
 */
export class DueQueue<K> {
  private readonly heap: { key: K; dueAt: number }[] = [];
  private readonly positions = new Map<K, number>();

  get size(): number {
    return this.heap.length;
  }

  has(key: K): boolean {
    return this.positions.has(key);
  }

  dueAt(key: K): number | undefined {
    const position = this.positions.get(key);
    return position === undefined ? undefined : this.heap[position]!.dueAt;
  }

  /** Adds the key, or moves it to the new time if already queued. */
  schedule(key: K, dueAt: number): void {
    const position = this.positions.get(key);
    if (position === undefined) {
      this.heap.push({ key, dueAt });
      this.positions.set(key, this.heap.length - 1);
      this.siftUp(this.heap.length - 1);
      return;
    }
    const entry = this.heap[position]!;
    const earlier = dueAt < entry.dueAt;
    entry.dueAt = dueAt;
    if (earlier) this.siftUp(position);
    else this.siftDown(position);
  }

  remove(key: K): boolean {
    const position = this.positions.get(key);
    if (position === undefined) return false;
    this.positions.delete(key);
    const last = this.heap.pop()!;
    if (position < this.heap.length) {
      this.heap[position] = last;
      this.positions.set(last.key, position);
      this.siftDown(position);
      this.siftUp(position);
    }
    return true;
  }

  /** The earliest due time, or undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.dueAt;
  }

  /** Removes and returns every key due at or before `now`, earliest first (at most `limit`). */
  takeDue(now: number, limit = Number.POSITIVE_INFINITY): { key: K; dueAt: number }[] {
    const due: { key: K; dueAt: number }[] = [];
    while (due.length < limit && this.heap.length > 0 && this.heap[0]!.dueAt <= now) {
      const top = this.heap[0]!;
      this.remove(top.key);
      due.push(top);
    }
    return due;
  }

  clear(): void {
    this.heap.length = 0;
    this.positions.clear();
  }

  private siftUp(index: number): void {
    const entry = this.heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.heap[parentIndex]!;
      if (parent.dueAt <= entry.dueAt) break;
      this.heap[index] = parent;
      this.positions.set(parent.key, index);
      index = parentIndex;
    }
    this.heap[index] = entry;
    this.positions.set(entry.key, index);
  }

  private siftDown(index: number): void {
    const length = this.heap.length;
    const entry = this.heap[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.heap[right]!.dueAt < this.heap[left]!.dueAt ? right : left;
      if (this.heap[child]!.dueAt >= entry.dueAt) break;
      this.heap[index] = this.heap[child]!;
      this.positions.set(this.heap[index]!.key, index);
      index = child;
    }
    this.heap[index] = entry;
    this.positions.set(entry.key, index);
  }
}
