import { BACKLOG_LIMIT, StatsdBatchBuilder, type BatchSink } from './statsd-batch.js';
import { forEachLine, isLineError, parseStatsdLine, type StatsdLine, type StatsdLineError } from './statsd-line.js';
import { TrustedSources, type TrustSettings } from './trusted-sources.js';

export interface Sender {
  address: string;
  port: number;
}

/** What a receiver needs to know, plain data so it can cross into a worker thread. */
export interface ReceiverSettings {
  transport: 'udp' | 'tcp';
  /** null: everyone may send (no [heartbeat] require_token). */
  trustedSources: string[] | null;
  /** Format debug log lines (`--debug`); otherwise none are made. */
  debug: boolean;
  /** Names a receiver numbers before its table starts over: room for every service and as many strays. */
  maxNames: number;
  /** Lines handed over and not yet applied before the receiver holds back (default BACKLOG_LIMIT). */
  backlogLimit?: number;
}

/** A listener's receiver settings from the configuration: who may send, debug logging, the name table's size. */
export function receiverSettingsFor(transport: 'udp' | 'tcp', config: TrustSettings, debug: boolean): ReceiverSettings {
  return {
    transport,
    trustedSources: TrustedSources.listFrom(config),
    debug,
    maxNames: Math.max(65_536, 2 * config.heartbeat.max_services),
  };
}

const LOGGED_LINE_CHARS = 120;
/** Distinct lines whose parse is kept (the cache starts over when full, so junk cannot grow it). */
const PARSED_CACHE_SIZE = 16_384;
/**
 * A batch waits at most this long for more lines: each hand-over wakes the main thread, so fewer and fuller
 * ones leave the receive thread more of the CPU under load; 10 ms is no delay a user notices.
 */
const FLUSH_DELAY_MS = 10;

/**
 * The statsd lines of one listener (UDP socket or TCP server) turned into batches for the engine: the
 * sender checked against trusted_sources, each line parsed, a bad line skipped, counted by reason and
 * logged at debug with its sender — the lines around it still apply, in order. Runs wherever its socket
 * runs: in a receive worker thread, or on the main thread with `[udp] workers = 0`.
 */
export class StatsdReceiver {
  readonly batch: StatsdBatchBuilder;
  private readonly trusted: TrustedSources;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Clients send the same few lines over and over: a line's parse is looked up before it is worked out again. */
  private readonly parsed = new Map<string, StatsdLine | StatsdLineError>();

  /**
   * @param applied lines the engine has applied so far, as a wrapping 32-bit count (shared memory when
   *   the receiver runs in a worker): with `posted` it gives the backlog.
   */
  constructor(
    readonly settings: ReceiverSettings,
    post: BatchSink,
    private readonly applied: () => number,
  ) {
    this.batch = new StatsdBatchBuilder(post, undefined, settings.maxNames);
    this.trusted = new TrustedSources(settings.trustedSources);
  }

  /** Lines handed over and not yet applied by the engine. */
  get backlog(): number {
    return (this.batch.posted - this.applied()) | 0;
  }

  get backlogLimit(): number {
    return this.settings.backlogLimit ?? BACKLOG_LIMIT;
  }

  /** The engine is more than backlogLimit lines behind: UDP drops new lines (counted), TCP stops reading. */
  get overloaded(): boolean {
    return this.backlog > this.backlogLimit;
  }

  /** Whether this sender may send; a refusal is counted and logged at debug. */
  admits(address: string): boolean {
    if (this.trusted.allows(address)) return true;
    this.batch.refuseUntrusted();
    if (this.settings.debug) {
      const what = this.settings.transport === 'udp' ? 'datagram' : 'connection';
      this.batch.log(`refused statsd ${what} from ${address}: not in [statsd] trusted_sources ([heartbeat] require_token = true)`);
    }
    this.flushSoon();
    return false;
  }

  /** A datagram's text: its lines in order. Dropped (and counted) while the engine is too far behind. */
  datagram(text: string, sender: Sender): void {
    if (this.overloaded) {
      let lines = 0;
      forEachLine(text, () => lines++);
      this.batch.overload(lines);
    } else {
      forEachLine(text, (line) => this.line(line, sender));
    }
    this.flushSoon();
  }

  /** One line (the TCP reader calls this directly; the caller flushes with `flushSoon`). */
  line(line: string, sender: Sender): void {
    let parsed = this.parsed.get(line);
    if (parsed === undefined) {
      parsed = parseStatsdLine(line);
      if (this.parsed.size >= PARSED_CACHE_SIZE) this.parsed.clear();
      this.parsed.set(line, parsed);
    }
    if (isLineError(parsed)) this.skip(parsed, line, sender);
    else this.batch.add(parsed.service, parsed.command, parsed.value);
  }

  skip(error: StatsdLineError, line: string, sender: Sender): void {
    this.batch.skip(error.code);
    if (!this.settings.debug) return;
    const shown =
      line.length > LOGGED_LINE_CHARS
        ? `${JSON.stringify(line.slice(0, LOGGED_LINE_CHARS))}… (${line.length} bytes)`
        : JSON.stringify(line);
    const from = sender.address.includes(':') ? `[${sender.address}]:${sender.port}` : `${sender.address}:${sender.port}`;
    this.batch.log(`skipped statsd line from ${from} over ${this.settings.transport}: ${error.reason}: ${shown}`);
  }

  log(line: string): void {
    if (this.settings.debug) this.batch.log(line);
    this.flushSoon();
  }

  flushSoon(): void {
    if (this.flushTimer !== null || !this.batch.pending) return;
    this.flushTimer = setTimeout(this.flush, FLUSH_DELAY_MS);
  }

  readonly flush = (): void => {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.batch.flush();
  };
}
