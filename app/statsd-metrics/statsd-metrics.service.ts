import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { parseHostPort } from '../config/config-validators.js';
import { MetricsSection } from '../config/config.schema.js';
import { OnPulseEvent } from '../events/pulse-events.js';
import { AlarmsQuery } from '../alarms/alarms.query.js';
import { HeartbeatEngine } from '../heartbeats/heartbeat-engine.js';
import type { HeartbeatsSaved } from '../heartbeats/heartbeat.events.js';
import type { ServiceState } from '../heartbeats/service-record.js';
import { ServicesQuery } from '../heartbeats/services.query.js';
import { StatsdIngest } from '../statsd/statsd-ingest.js';

/** Gauge values of states: 0 ok and 1 error, so graphs of error gauges add up to the failing count. */
export const STATE_CODES: Record<ServiceState, number> = { ok: 0, error: 1, new: 2, muted: 3, maintenance: 4 };
const MAX_DATAGRAM = 1400;
const MAX_SAVE_SAMPLES = 100;

/** statsd names allow what service names allow; alarm names from the config may carry anything. */
const metricName = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * `[metrics] server, prefix` (Lovebeat's metrics reporting): every `[metrics] interval` seconds, statsd
 * gauges of every service and alarm state, counters of beats and invalid lines, and the time each
 * database save took, sent over UDP. Empty server: off.
 */
@Injectable()
export class StatsdMetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private socket: dgram.Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private target: { address: string; port: number } | null = null;
  private reportedBeats = 0;
  private reportedInvalid = 0;
  private saveSamples: number[] = [];

  constructor(
    private readonly settings: MetricsSection,
    private readonly engine: HeartbeatEngine,
    private readonly services: ServicesQuery,
    private readonly alarms: AlarmsQuery,
    private readonly ingest: StatsdIngest,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.server === '') return;
    const { host, port } = parseHostPort(this.settings.server)!;
    const { address, family } = await lookup(host).catch(() => ({ address: '', family: 4 }));
    if (address === '') {
      this.logger.warn(`[metrics] server ${this.settings.server}: cannot resolve ${host}; metrics are not sent`);
      return;
    }
    this.target = { address, port };
    this.socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    this.socket.on('error', (error) => this.logger.warn(`sending metrics to ${this.settings.server} failed: ${error.message}`));
    this.timer = setInterval(() => this.report(), this.settings.interval * 1000);
    this.timer.unref();
    this.logger.log(`statsd metrics go to ${this.settings.server} every ${this.settings.interval} s, prefix "${this.settings.prefix}"`);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket?.close();
    this.socket = null;
  }

  @OnPulseEvent('heartbeat.saved')
  onHeartbeatsSaved(event: HeartbeatsSaved): void {
    if (this.socket && this.saveSamples.length < MAX_SAVE_SAMPLES) this.saveSamples.push(event.durationMs);
  }

  /** The lines of one report (public for the test of their format). */
  lines(): string[] {
    const prefix = this.settings.prefix === '' ? '' : `${this.settings.prefix}.`;
    const lines: string[] = [];
    const { num_ok, num_error } = this.services.status();
    lines.push(`${prefix}services.num_ok:${num_ok}|g`, `${prefix}services.num_error:${num_error}|g`);
    for (const service of this.services.states()) lines.push(`${prefix}service.${service.name}.state:${STATE_CODES[service.state]}|g`);
    for (const alarm of this.alarms.states()) lines.push(`${prefix}alarm.${metricName(alarm.name)}.state:${STATE_CODES[alarm.state]}|g`);
    lines.push(
      `${prefix}beats:${this.engine.beatsTotal - this.reportedBeats}|c`,
      `${prefix}invalid_lines:${this.ingest.invalidTotal - this.reportedInvalid}|c`,
    );
    this.reportedBeats = this.engine.beatsTotal;
    this.reportedInvalid = this.ingest.invalidTotal;
    for (const sample of this.saveSamples) lines.push(`${prefix}db.save:${sample.toFixed(1)}|ms`);
    this.saveSamples = [];
    return lines;
  }

  private report(): void {
    if (!this.socket || !this.target) return;
    let datagram = '';
    for (const line of this.lines()) {
      if (datagram.length > 0 && datagram.length + line.length + 1 > MAX_DATAGRAM) {
        this.send(datagram);
        datagram = '';
      }
      datagram += datagram.length > 0 ? `\n${line}` : line;
    }
    if (datagram.length > 0) this.send(datagram);
  }

  private send(datagram: string): void {
    this.socket?.send(datagram, this.target!.port, this.target!.address);
  }
}
