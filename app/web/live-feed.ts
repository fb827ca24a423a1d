import { randomBytes } from 'node:crypto';

/** One server-sent event: `topic` is its SSE event name (`monitors`), `data` a small JSON text. */
export interface LiveEvent {
  id: string;
  topic: string;
  data: string;
}

export type Replay = { events: LiveEvent[] } | { reload: true };

export interface LiveFeedOptions {
  /** Events kept for clients that reconnect (Last-Event-ID); older ones make the client reload. */
  capacity: number;
  /** Changes of one topic within this window go out as one event, so a storm is a few refreshes, not thousands. */
  coalesceMs: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Distinguishes this server run: ids of an earlier run cannot be replayed (the client reloads instead). */
  runId?: string;
}

/**
 * Most ids one event lists; beyond that it says "many changed" (ids: null) and pages refresh everything.
 * 10,000 monitors checked every minute give ~40 results per quarter second: listed, so an open monitor
 * page re-reads only for its own (a few KB at the limit).
 */
const MAX_IDS = 500;

/**
 * The console's live feed, without I/O: publishers name a topic (and the numeric id of what changed),
 * subscribers receive coalesced events with ids `<run>-<seq>`, and a reconnecting client gets what it
 * missed from a bounded buffer, or is told to reload when it is too far behind or from another run.
 * Events never carry names or texts, only numeric ids and counts: pages fetch what they show.
 */
export class LiveFeed {
  private readonly runId: string;
  private seq = 0;
  private readonly buffer: LiveEvent[] = [];
  private readonly pending = new Map<string, { count: number; ids: Set<number> | null }>();
  private timer: unknown = null;
  private readonly subscribers = new Set<(event: LiveEvent) => void>();
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: LiveFeedOptions) {
    this.runId = options.runId ?? randomBytes(4).toString('hex');
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
  }

  /** The id of the latest event: pages render it so their stream starts exactly where the page was drawn. */
  cursor(): string {
    return `${this.runId}-${this.seq}`;
  }

  publish(topic: string, id?: number): void {
    const entry = this.pending.get(topic) ?? { count: 0, ids: new Set<number>() };
    entry.count++;
    if (entry.ids && id !== undefined && Number.isSafeInteger(id)) {
      entry.ids.add(id);
      if (entry.ids.size > MAX_IDS) entry.ids = null;
    }
    this.pending.set(topic, entry);
    if (this.timer === null) this.timer = this.setTimer(() => this.flush(), this.options.coalesceMs);
  }

  /** Sends what is pending now (the timer does this; shutdown and tests may too). */
  flush(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    for (const [topic, { count, ids }] of this.pending) {
      const event: LiveEvent = {
        id: `${this.runId}-${++this.seq}`,
        topic,
        data: JSON.stringify({ changes: count, ids: ids ? [...ids] : null }),
      };
      this.buffer.push(event);
      if (this.buffer.length > this.options.capacity) this.buffer.shift();
      for (const subscriber of this.subscribers) subscriber(event);
    }
    this.pending.clear();
  }

  /** What a client that saw `lastId` missed. */
  replaySince(lastId: string): Replay {
    const match = /^([0-9a-f]+)-(\d+)$/.exec(lastId);
    if (!match || match[1] !== this.runId) return { reload: true };
    const seen = Number(match[2]);
    if (seen > this.seq) return { reload: true };
    if (seen === this.seq) return { events: [] };
    const oldest = this.buffer[0] ? Number(this.buffer[0].id.split('-')[1]) : this.seq + 1;
    if (seen + 1 < oldest) return { reload: true };
    return { events: this.buffer.filter((event) => Number(event.id.split('-')[1]) > seen) };
  }

  subscribe(subscriber: (event: LiveEvent) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
