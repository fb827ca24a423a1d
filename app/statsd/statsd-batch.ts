import type { StatsdCommand, StatsdLineError } from './statsd-line.js';

/*
 * What a statsd receiver (a worker thread, or the main thread with `[udp] workers = 0`) hands the heartbeat
 * engine: parsed commands in arrival order as three typed arrays (transferred, not copied, between threads)
 * plus counts and debug lines. Service names travel once: each receiver numbers the names it has seen and a
 * batch carries only the names new since the previous one, so the engine side looks them up by number and
 * keeps reusing the same string (whose hash V8 has already computed).
 */

/** Command codes in a batch (the index of the command). */
export const COMMANDS: readonly StatsdCommand[] = ['beat', 'autobeat', 'timeout', 'start', 'fail', 'min_interval'];
export const COMMAND_CODE: Readonly<Record<StatsdCommand, number>> = Object.fromEntries(
  COMMANDS.map((command, code) => [command, code]),
) as Record<StatsdCommand, number>;

export type InvalidReason = StatsdLineError['code'];
/** Invalid-line reasons in a batch's `invalid` counts (the index of the reason). */
export const INVALID_REASONS: readonly InvalidReason[] = ['syntax', 'name', 'command', 'value', 'type', 'sample_rate', 'too_long'];
const REASON_CODE = Object.fromEntries(INVALID_REASONS.map((reason, code) => [reason, code])) as Record<InvalidReason, number>;

/** Why a TCP connection was closed at once. */
export type ConnectionLimit = 'max_connections' | 'max_connections_per_source';

export interface StatsdBatch {
  /** The receiver forgot its numbering (its table was full): start the table afresh before `names`. */
  reset: boolean;
  /** Names numbered since the previous batch, in number order (the first gets the next free number). */
  names: string[];
  /** One entry per accepted line, in arrival order: COMMANDS index, name number, value (ms for timeout and min_interval). */
  commands: Uint8Array;
  ids: Uint32Array;
  values: Float64Array;
  /** Lines skipped as invalid, per INVALID_REASONS index; null when none. */
  invalid: number[] | null;
  /** Datagrams (udp) or connections (tcp) refused: the sender is not in [statsd] trusted_sources. */
  untrusted: number;
  /** TCP connections closed at once, per limit; null when none. */
  refusedConnections: Partial<Record<ConnectionLimit, number>> | null;
  /** Valid lines dropped because the engine fell more than BACKLOG_LIMIT lines behind (udp only; tcp pauses instead). */
  overloaded: number;
  /** Debug log lines (only when the receiver was started with debug logging). */
  debug: string[] | null;
}

/**
 * Lines a receiver may have handed over that the engine has not applied yet. Past it a UDP receiver drops
 * (and counts) new lines rather than grow without bound, and a TCP receiver stops reading its connections.
 * At 150,000 lines/s this is several seconds of work.
 */
export const BACKLOG_LIMIT = 1_000_000;

export type BatchSink = (batch: StatsdBatch, transfer: ArrayBuffer[]) => void;

/**
 * Collects one receiver's parsed lines into batches and hands each to `post` when it is full; the owner
 * calls `flush()` for the rest (at the end of each event-loop turn). Not thread-aware: `post` decides
 * where a batch goes.
 */
export class StatsdBatchBuilder {
  private readonly numbers = new Map<string, number>();
  private newNames: string[] = [];
  private reset = false;
  private readonly commands: Uint8Array;
  private readonly ids: Uint32Array;
  private readonly values: Float64Array;
  private count = 0;
  private invalid: number[] | null = null;
  private untrusted = 0;
  private refusedConnections: Partial<Record<ConnectionLimit, number>> | null = null;
  private overloaded = 0;
  private debug: string[] | null = null;
  /** Lines handed to `post` since start (for the backlog check). */
  posted = 0;

  /**
   * @param capacity commands per batch: a batch is applied in one go on the engine's event loop, so this
   *   bounds how long that loop is busy with one (a millisecond or two).
   * @param maxNames names numbered before the table starts over (a spray of junk names cannot grow it).
   */
  constructor(
    private readonly post: BatchSink,
    readonly capacity = 4096,
    private readonly maxNames = 262_144,
  ) {
    this.commands = new Uint8Array(capacity);
    this.ids = new Uint32Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get pending(): boolean {
    return (
      this.count > 0 ||
      this.newNames.length > 0 ||
      this.invalid !== null ||
      this.untrusted > 0 ||
      this.refusedConnections !== null ||
      this.overloaded > 0 ||
      this.debug !== null
    );
  }

  add(service: string, command: StatsdCommand, value: number): void {
    let number = this.numbers.get(service);
    if (number === undefined) {
      if (this.numbers.size >= this.maxNames) {
        // Numbers already handed out refer to the old table: send them first, then start over.
        this.flush();
        this.numbers.clear();
        this.reset = true;
      }
      number = this.numbers.size;
      this.numbers.set(service, number);
      this.newNames.push(service);
    }
    this.commands[this.count] = COMMAND_CODE[command];
    this.ids[this.count] = number;
    this.values[this.count] = value;
    if (++this.count === this.capacity) this.flush();
  }

  skip(reason: InvalidReason): void {
    this.invalid ??= new Array<number>(INVALID_REASONS.length).fill(0);
    this.invalid[REASON_CODE[reason]]!++;
  }

  refuseUntrusted(): void {
    this.untrusted++;
  }

  refuseConnection(limit: ConnectionLimit): void {
    this.refusedConnections ??= {};
    this.refusedConnections[limit] = (this.refusedConnections[limit] ?? 0) + 1;
  }

  overload(lines: number): void {
    this.overloaded += lines;
  }

  log(line: string): void {
    (this.debug ??= []).push(line);
  }

  /** Hands over whatever is pending. */
  flush(): void {
    if (!this.pending) return;
    const batch: StatsdBatch = {
      reset: this.reset,
      names: this.newNames,
      commands: this.commands.slice(0, this.count),
      ids: this.ids.slice(0, this.count),
      values: this.values.slice(0, this.count),
      invalid: this.invalid,
      untrusted: this.untrusted,
      refusedConnections: this.refusedConnections,
      overloaded: this.overloaded,
      debug: this.debug,
    };
    this.posted += this.count;
    this.reset = false;
    this.newNames = [];
    this.count = 0;
    this.invalid = null;
    this.untrusted = 0;
    this.refusedConnections = null;
    this.overloaded = 0;
    this.debug = null;
    this.post(batch, [batch.commands.buffer, batch.ids.buffer, batch.values.buffer] as ArrayBuffer[]);
  }
}

/** The engine side of one receiver's numbering. */
export class StatsdNameTable {
  private names: string[] = [];

  /** Takes in the batch's new names; call before reading its commands. */
  update(batch: StatsdBatch): void {
    if (batch.reset) this.names = [];
    for (const name of batch.names) this.names.push(name);
  }

  name(id: number): string {
    return this.names[id]!;
  }
}
