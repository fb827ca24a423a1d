import { closeSync, fdatasync, fdatasyncSync, fstatSync, mkdirSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  countLines,
  cutTornTail,
  lastLineTime,
  listSegments,
  NEWLINE,
  parseLine,
  READ_CHUNK,
  readAt,
  readOutboxState,
  segmentName,
  writeFully,
  writeOutboxState,
} from './outbox-files.js';

/*
 * The on-disk outbox of the remote roles: every item (a check result, a metric sample) is appended here
 * before anything tries to send it, and leaves only when the server has acknowledged it.
 *
 * Layout of `dir`:
 *   00000000000000000007.seg   append-only segment files, one item per line: `<enqueued-at ms>\t<item JSON>\n`
 *   state.json                 {"segment","offset","dropped"}: the first byte not yet acknowledged, and how
 *                              many items this outbox has dropped in all (size, age, unreadable)
 *
 * Why it survives `kill -9` at any point without losing or doubling an item:
 * - An item is one write(2) of one line; once it returns the line is in the page cache, which outlives the
 *   process. A line cut short (power loss) is cut off at the next start; lines are fdatasync'ed once a
 *   second, so a power cut loses at most that second.
 * - state.json is replaced atomically (write a temporary file, fsync, rename): it points either before or
 *   after an acknowledged batch, never in between. Before (killed after the server answered but before the
 *   rename) means that one batch is sent again, and the server, which identifies a result by (monitor,
 *   source, checked_at), counts it as a duplicate: stored once. After means it is gone for good.
 * - Segment files wholly before the acknowledged position are deleted after the state is written; a
 *   crash in between leaves files the next start deletes.
 * Drops (over `maxBytes`, older than `maxAgeMs`) move the same position forward and add to `dropped` in
 * the same atomic state write, oldest first.
 */

export interface OutboxPosition {
  segment: number;
  offset: number;
}

export type DropReason = 'size' | 'age' | 'unreadable' | 'refused';

export interface DiskOutboxOptions {
  dir: string;
  /** Bytes of unacknowledged items kept; beyond it the oldest are dropped. */
  maxBytes: number;
  /** Items older than this (since they were queued) are dropped instead of sent. */
  maxAgeMs: number;
  now?: () => number;
  /** Size at which a new segment file starts (default maxBytes / 16, between 4 KiB and 4 MiB). */
  segmentBytes?: number;
  /** Told whenever items are dropped, with how many and why (the roles log it). */
  onDrop?: (count: number, reason: DropReason) => void;
  /** How often appended lines are fdatasync'ed (default 1 s; 0 = never, for benchmarks). */
  syncIntervalMs?: number;
}

/** Items read for sending; hand it back with `commit` (acknowledged) or `release` (send failed). */
export interface OutboxBatch {
  /** The items' JSON texts, oldest first (send them as they are). */
  items: string[];
  /** Sum of the items' JSON lengths. */
  bytes: number;
  /** Items passed over because they were older than the age limit or unreadable; dropped on commit. */
  expired: number;
  unreadable: number;
  /** Where the next batch starts once this one is committed. */
  end: OutboxPosition;
  /** Lines taken from each segment (items, expired and unreadable). */
  consumed: Map<number, number>;
}

export interface OutboxStats {
  /** Items waiting to be acknowledged. */
  queued: number;
  /** Items dropped since this outbox was created. */
  dropped: number;
  /** Bytes they take on disk. */
  bytes: number;
}

interface Segment {
  seq: number;
  size: number;
  /** Lines not yet acknowledged (for the first segment: after the committed offset). */
  lines: number;
  /** Enqueue time of its newest line (0 when empty). */
  lastAt: number;
}

export class DiskOutbox {
  private readonly segments: Segment[] = [];
  private committed: OutboxPosition;
  private droppedTotal: number;
  private writeFd: number;
  private dirty = false;
  private readonly syncTimer: NodeJS.Timeout | null;
  private inFlight: OutboxBatch | null = null;
  private lastSweep = 0;
  private closed = false;
  private readonly now: () => number;
  private readonly segmentBytes: number;

  private constructor(private readonly options: DiskOutboxOptions) {
    this.now = options.now ?? Date.now;
    this.segmentBytes = options.segmentBytes ?? Math.min(4 * 1024 * 1024, Math.max(4 * 1024, Math.floor(options.maxBytes / 16)));
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const state = readOutboxState(options.dir);
    this.committed = { segment: state.segment, offset: state.offset };
    this.droppedTotal = state.dropped;
    this.loadSegments();
    const last = this.segments[this.segments.length - 1]!;
    this.writeFd = openSync(this.segmentPath(last.seq), 'a', 0o600);
    this.skipConsumedSegments();
    const interval = options.syncIntervalMs ?? 1000;
    this.syncTimer = interval > 0 ? setInterval(() => this.syncSoon(), interval) : null;
    this.syncTimer?.unref();
  }

  /** Opens (or creates) the outbox in `dir`, repairing what a crash left behind. */
  static open(options: DiskOutboxOptions): DiskOutbox {
    return new DiskOutbox(options);
  }

  get queued(): number {
    let lines = 0;
    for (const segment of this.segments) lines += segment.lines;
    return lines;
  }

  get dropped(): number {
    return this.droppedTotal;
  }

  /** Bytes not yet acknowledged. */
  get bytes(): number {
    let bytes = -this.committed.offset;
    for (const segment of this.segments) bytes += segment.size;
    return Math.max(0, bytes);
  }

  stats(): OutboxStats {
    return { queued: this.queued, dropped: this.droppedTotal, bytes: this.bytes };
  }

  /** Queues one item (any JSON value). Returns once it is written: a `kill -9` from here on loses nothing. */
  append(item: unknown): void {
    this.appendText(JSON.stringify(item));
  }

  /** Queues one item given as JSON text (one line; JSON.stringify's output always is). */
  appendText(json: string): void {
    if (this.closed) throw new Error('the outbox is closed');
    const now = this.now();
    const line = Buffer.from(`${now}\t${json}\n`, 'utf8');
    let current = this.segments[this.segments.length - 1]!;
    if (current.size > 0 && current.size + line.length > this.segmentBytes) current = this.roll();
    writeFully(this.writeFd, line);
    current.size += line.length;
    current.lines++;
    current.lastAt = now;
    this.dirty = true;
    this.enforceLimits(now);
  }

  /**
   * Reads the oldest items, up to `maxItems` and about `maxBytes` of JSON (at least one item). Items past
   * the age limit and unreadable lines are passed over (and dropped when the batch is committed). Only
   * one batch is out at a time; while it is, the limits never drop what it holds.
   */
  peek(maxItems: number, maxBytes: number): OutboxBatch {
    if (this.inFlight) throw new Error('a batch is already out; commit or release it first');
    const cutoff = this.now() - this.options.maxAgeMs;
    const batch: OutboxBatch = { items: [], bytes: 0, expired: 0, unreadable: 0, end: { ...this.committed }, consumed: new Map() };
    let index = this.segments.findIndex((segment) => segment.seq === this.committed.segment);
    let offset = this.committed.offset;
    let full = false;
    while (index >= 0 && index < this.segments.length && !full) {
      const segment = this.segments[index]!;
      const fd = offset < segment.size ? openSync(this.segmentPath(segment.seq), 'r') : null;
      try {
        while (fd !== null && offset < segment.size && !full) {
          let chunkSize = Math.min(READ_CHUNK, segment.size - offset);
          let chunk = readAt(fd, offset, chunkSize);
          // A line longer than the chunk: read on until its end.
          while (chunk.indexOf(NEWLINE) < 0 && offset + chunk.length < segment.size) {
            chunkSize = Math.min(chunkSize * 2, segment.size - offset);
            chunk = readAt(fd, offset, chunkSize);
          }
          let start = 0;
          for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
            const parsed = parseLine(chunk.toString('utf8', start, newline));
            if (parsed && parsed.at >= cutoff) {
              const size = Buffer.byteLength(parsed.json);
              if (batch.items.length >= maxItems || (batch.items.length > 0 && batch.bytes + size > maxBytes)) {
                full = true;
                break;
              }
              batch.items.push(parsed.json);
              batch.bytes += size;
            } else if (parsed) batch.expired++;
            else batch.unreadable++;
            batch.consumed.set(segment.seq, (batch.consumed.get(segment.seq) ?? 0) + 1);
            offset += newline - start + 1;
            start = newline + 1;
          }
          if (start === 0 && !full) break; // no complete line left (cannot happen after open's repair)
        }
      } finally {
        if (fd !== null) closeSync(fd);
      }
      batch.end = { segment: segment.seq, offset };
      if (!full) {
        index++;
        offset = 0;
      }
    }
    this.inFlight = batch;
    return batch;
  }

  /**
   * The server acknowledged the batch: its items leave the outbox for good. `refused` = the server would
   * never take it (a 4xx for the whole batch, tried enough): its items are counted as dropped.
   */
  commit(batch: OutboxBatch, options: { refused?: boolean } = {}): void {
    if (this.inFlight !== batch) throw new Error('commit of a batch that is not out');
    this.inFlight = null;
    if (comparePositions(batch.end, this.committed) <= 0) return;
    for (const [seq, lines] of batch.consumed) {
      const segment = this.segments.find((candidate) => candidate.seq === seq);
      if (segment) segment.lines = Math.max(0, segment.lines - lines);
    }
    const refused = options.refused ? batch.items.length : 0;
    const dropped = batch.expired + batch.unreadable + refused;
    this.committed = { ...batch.end };
    this.droppedTotal += dropped;
    this.writeState();
    this.skipConsumedSegments();
    if (batch.expired > 0) this.options.onDrop?.(batch.expired, 'age');
    if (batch.unreadable > 0) this.options.onDrop?.(batch.unreadable, 'unreadable');
    if (refused > 0) this.options.onDrop?.(refused, 'refused');
  }

  /** Sending failed: the batch stays, and is read again next time. */
  release(batch: OutboxBatch): void {
    if (this.inFlight === batch) this.inFlight = null;
  }

  /** Drops what is past the limits now (the roles call it while the server is away, so the disk stays bounded). */
  enforceLimits(now = this.now()): void {
    let droppedBySize = 0;
    while (this.bytes > this.options.maxBytes && this.segments.length > 1 && this.canDropFirst()) droppedBySize += this.dropFirstSegment();
    if (droppedBySize > 0) this.options.onDrop?.(droppedBySize, 'size');
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    const cutoff = now - this.options.maxAgeMs;
    let droppedByAge = 0;
    while (this.segments.length > 1 && this.segments[0]!.lastAt < cutoff && this.canDropFirst()) droppedByAge += this.dropFirstSegment();
    if (droppedByAge > 0) this.options.onDrop?.(droppedByAge, 'age');
  }

  /** Writes appended lines to the disk now (also done once a second by itself). */
  sync(): void {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    fdatasyncSync(this.writeFd);
  }

  close(): void {
    if (this.closed) return;
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.sync();
    this.closed = true;
    closeSync(this.writeFd);
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private syncSoon(): void {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    // In the thread pool: the event loop (and the checks' timing) never waits for the disk.
    fdatasync(this.writeFd, () => undefined);
  }

  private segmentPath(seq: number): string {
    return path.join(this.options.dir, segmentName(seq));
  }

  private writeState(): void {
    writeOutboxState(this.options.dir, { ...this.committed, dropped: this.droppedTotal });
  }

  private loadSegments(): void {
    const files = listSegments(this.options.dir);
    for (const seq of files) {
      if (seq < this.committed.segment) {
        rmSync(this.segmentPath(seq), { force: true }); // acknowledged before a crash, not yet deleted
        continue;
      }
      this.segments.push(this.scanSegment(seq, seq === files[files.length - 1]));
    }
    if (this.segments.length === 0) {
      const seq = Math.max(1, this.committed.segment);
      closeSync(openSync(this.segmentPath(seq), 'a', 0o600));
      this.segments.push({ seq, size: 0, lines: 0, lastAt: 0 });
    }
    if (this.committed.segment < this.segments[0]!.seq) this.committed = { segment: this.segments[0]!.seq, offset: 0 };
  }

  /** Size, lines after the committed offset and newest time of one segment; a torn last line is cut off. */
  private scanSegment(seq: number, last: boolean): Segment {
    const fd = openSync(this.segmentPath(seq), 'r+');
    try {
      let size = fstatSync(fd).size;
      if (last && size > 0) size = cutTornTail(fd, size);
      const from = seq === this.committed.segment ? Math.min(this.committed.offset, size) : 0;
      if (seq === this.committed.segment) this.committed.offset = from;
      return { seq, size, lines: countLines(fd, from, size), lastAt: size > 0 ? lastLineTime(fd, size) : 0 };
    } finally {
      closeSync(fd);
    }
  }

  /** A new segment file for appends. */
  private roll(): Segment {
    fdatasyncSync(this.writeFd);
    closeSync(this.writeFd);
    const seq = this.segments[this.segments.length - 1]!.seq + 1;
    this.writeFd = openSync(this.segmentPath(seq), 'a', 0o600);
    const segment = { seq, size: 0, lines: 0, lastAt: 0 };
    this.segments.push(segment);
    this.dirty = false;
    return segment;
  }

  /** Leading segments wholly acknowledged (never the one being written) are deleted, after the state says so. */
  private skipConsumedSegments(): void {
    const gone: Segment[] = [];
    while (this.segments.length > 1) {
      const first = this.segments[0]!;
      const consumed = first.seq < this.committed.segment || (first.seq === this.committed.segment && this.committed.offset >= first.size);
      if (!consumed) break;
      gone.push(...this.segments.splice(0, 1));
      if (this.committed.segment <= first.seq) this.committed = { segment: this.segments[0]!.seq, offset: 0 };
    }
    if (gone.length === 0) return;
    this.writeState();
    for (const segment of gone) rmSync(this.segmentPath(segment.seq), { force: true });
  }

  /** A batch out for sending always starts in the first segment: that one stays until it comes back. */
  private canDropFirst(): boolean {
    return this.inFlight === null;
  }

  /** Drops the oldest segment (its unacknowledged lines counted as dropped); returns how many. */
  private dropFirstSegment(): number {
    const [gone] = this.segments.splice(0, 1);
    const lines = gone!.lines;
    this.committed = { segment: this.segments[0]!.seq, offset: 0 };
    this.droppedTotal += lines;
    this.writeState();
    rmSync(this.segmentPath(gone!.seq), { force: true });
    return lines;
  }
}

function comparePositions(a: OutboxPosition, b: OutboxPosition): number {
  return a.segment !== b.segment ? a.segment - b.segment : a.offset - b.offset;
}
