import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { PULSE_LOGGER } from '../config/config.module.js';
import type { ServiceUpdate } from '../heartbeats/heartbeat-commands.js';
import { HeartbeatEngine } from '../heartbeats/heartbeat-engine.js';
import { AUTO_TIMEOUT } from '../heartbeats/heartbeat-values.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { COMMAND_CODE, INVALID_REASONS, StatsdNameTable, type ConnectionLimit, type StatsdBatch } from './statsd-batch.js';

export type StatsdTransport = 'udp' | 'tcp';

const BEAT: ServiceUpdate = { beat: true };
const AUTOBEAT: ServiceUpdate = { beat: true, timeoutMs: AUTO_TIMEOUT };
const {
  beat: BEAT_CODE,
  autobeat: AUTOBEAT_CODE,
  timeout: TIMEOUT_CODE,
  min_interval: MIN_INTERVAL_CODE,
  start: START_CODE,
} = COMMAND_CODE;

/**
 * One receiver's link to the engine: its name numbering and the count of lines applied, which the
 * receiver reads (shared memory, so a worker sees it without a message) to know how far behind the
 * engine is.
 */
export class ReceiveChannel {
  readonly names = new StatsdNameTable();
  readonly applied = new SharedArrayBuffer(4);
  private readonly appliedCount = new Int32Array(this.applied);

  constructor(
    private readonly ingest: StatsdIngest,
    readonly transport: StatsdTransport,
  ) {}

  /** Applies a batch from this channel's receiver; batches must come in the order they were made. */
  readonly apply = (batch: StatsdBatch): void => {
    this.ingest.apply(batch, this.names, this.transport);
    Atomics.add(this.appliedCount, 0, batch.commands.length);
  };

  readonly appliedLines = (): number => Atomics.load(this.appliedCount, 0);
}

/**
 * Turns the receivers' batches of parsed statsd lines into engine commands, in the order the lines
 * arrived, and keeps the statsd counters: invalid lines by reason and transport, refused senders and
 * connections, lines dropped under overload, and how long the receivers' event loops stalled.
 */
@Injectable()
export class StatsdIngest {
  private readonly invalid: Counter<'transport' | 'reason'>;
  private readonly untrusted: Counter<'transport'>;
  private readonly refusedConnections: Counter<'limit'>;
  private readonly overloaded: Counter<'transport'>;
  private readonly receiveLag: Record<StatsdTransport, number> = { udp: 0, tcp: 0 };
  /** Lines skipped since start (for `[metrics]`). */
  invalidTotal = 0;

  constructor(
    private readonly engine: HeartbeatEngine,
    @Inject(PULSE_LOGGER) private readonly logger: PulseLogger,
    metrics: MetricsService,
  ) {
    this.invalid = metrics.counter({
      name: 'pulse_statsd_invalid_lines_total',
      help: 'statsd lines skipped as invalid',
      labelNames: ['transport', 'reason'],
    });
    this.untrusted = metrics.counter({
      name: 'pulse_statsd_untrusted_refused_total',
      help: 'statsd datagrams (udp) and connections (tcp) refused: the sender is not in [statsd] trusted_sources and [heartbeat] require_token is on',
      labelNames: ['transport'],
    });
    this.refusedConnections = metrics.counter({
      name: 'pulse_statsd_tcp_connections_refused_total',
      help: 'statsd TCP connections closed at once because [tcp] max_connections or max_connections_per_source were open',
      labelNames: ['limit'],
    });
    this.overloaded = metrics.counter({
      name: 'pulse_statsd_overload_dropped_lines_total',
      help: 'statsd UDP lines dropped because the heartbeat engine had fallen a million lines behind the receivers',
      labelNames: ['transport'],
    });
    const lag = this.receiveLag;
    metrics.gauge({
      name: 'pulse_statsd_receive_lag_max_seconds',
      help: 'Longest event-loop delay of the statsd receivers since the last scrape: how long a socket went undrained',
      labelNames: ['transport'],
      collect() {
        for (const transport of ['udp', 'tcp'] as const) {
          this.set({ transport }, lag[transport] / 1000);
          lag[transport] = 0;
        }
      },
    });
  }

  channel(transport: StatsdTransport): ReceiveChannel {
    return new ReceiveChannel(this, transport);
  }

  /** A receiver's longest event-loop delay over its last report period. */
  noteLag(transport: StatsdTransport, maxMs: number): void {
    if (maxMs > this.receiveLag[transport]) this.receiveLag[transport] = maxMs;
  }

  apply(batch: StatsdBatch, names: StatsdNameTable, transport: StatsdTransport): void {
    names.update(batch);
    const { commands, ids, values } = batch;
    const engine = this.engine;
    for (let index = 0; index < commands.length; index++) {
      const service = names.name(ids[index]!);
      switch (commands[index]) {
        case BEAT_CODE:
          engine.update(service, BEAT, transport);
          break;
        case AUTOBEAT_CODE:
          engine.update(service, AUTOBEAT, transport);
          break;
        case TIMEOUT_CODE:
          engine.update(service, { beat: false, timeoutMs: values[index]! }, transport);
          break;
        case MIN_INTERVAL_CODE:
          engine.update(service, { beat: false, minIntervalMs: values[index]! }, transport);
          break;
        case START_CODE:
          engine.start(service, transport);
          break;
        default:
          engine.fail(service, transport);
      }
    }
    if (batch.invalid) {
      batch.invalid.forEach((count, code) => {
        if (count === 0) return;
        this.invalidTotal += count;
        this.invalid.inc({ transport, reason: INVALID_REASONS[code]! }, count);
      });
    }
    if (batch.untrusted > 0) this.untrusted.inc({ transport }, batch.untrusted);
    if (batch.refusedConnections) {
      for (const [limit, count] of Object.entries(batch.refusedConnections))
        this.refusedConnections.inc({ limit: limit as ConnectionLimit }, count);
    }
    if (batch.overloaded > 0) this.overloaded.inc({ transport }, batch.overloaded);
    if (batch.debug) for (const line of batch.debug) this.logger.debug(line, 'Statsd');
  }
}
