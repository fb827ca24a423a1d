import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { PULSE_LOGGER } from '../config/config.module.js';
import { HeartbeatEngine, type Transport } from '../heartbeats/heartbeat-engine.js';
import { AUTO_TIMEOUT } from '../heartbeats/heartbeat-values.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { forEachLine, isLineError, parseStatsdLine, type StatsdLineError } from './statsd-line.js';

export interface Sender {
  address: string;
  port: number;
}

const LOGGED_LINE_CHARS = 120;

/**
 * Turns statsd lines (from UDP datagrams or TCP streams) into engine commands. A bad line is skipped,
 * counted by reason and logged at debug with its sender; the lines around it still apply.
 */
@Injectable()
export class StatsdIngest {
  private readonly invalid: Counter<'transport' | 'reason'>;
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
  }

  handleText(text: string, transport: Transport, sender: Sender): void {
    forEachLine(text, (line) => this.handleLine(line, transport, sender));
  }

  handleLine(line: string, transport: Transport, sender: Sender): void {
    const command = parseStatsdLine(line);
    if (isLineError(command)) return this.skip(command, line, transport, sender);
    const { service, value } = command;
    switch (command.command) {
      case 'beat':
        this.engine.update(service, { beat: true }, transport);
        break;
      case 'autobeat':
        this.engine.update(service, { beat: true, timeoutMs: AUTO_TIMEOUT }, transport);
        break;
      case 'timeout':
        this.engine.update(service, { beat: false, timeoutMs: value }, transport);
        break;
      case 'min_interval':
        this.engine.update(service, { beat: false, minIntervalMs: value }, transport);
        break;
      case 'start':
        this.engine.start(service, transport);
        break;
      case 'fail':
        this.engine.fail(service, transport);
        break;
    }
  }

  skip(error: StatsdLineError, line: string, transport: Transport, sender: Sender): void {
    this.invalidTotal++;
    this.invalid.inc({ transport, reason: error.code });
    if (!this.logger.isEnabled('debug')) return;
    const shown =
      line.length > LOGGED_LINE_CHARS
        ? `${JSON.stringify(line.slice(0, LOGGED_LINE_CHARS))}… (${line.length} bytes)`
        : JSON.stringify(line);
    const from = sender.address.includes(':') ? `[${sender.address}]:${sender.port}` : `${sender.address}:${sender.port}`;
    this.logger.debug(`skipped statsd line from ${from} over ${transport}: ${error.reason}: ${shown}`, 'Statsd');
  }
}
