import { Inject, Injectable } from '@nestjs/common';
import { BlockList, isIP } from 'node:net';
import type { Counter } from 'prom-client';
import { PULSE_LOGGER } from '../config/config.module.js';
import { HeartbeatSection, StatsdSection } from '../config/config.schema.js';
import type { Transport } from '../heartbeats/heartbeat-engine.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** Answers kept per sender address; past this the cache starts over (a spray of addresses cannot grow it). */
const MAX_CACHED = 10_000;

/**
 * Which senders the statsd listeners take beats from (SPEC §13). statsd carries no token, so with
 * `[heartbeat] require_token = true` only `[statsd] trusted_sources` may beat over UDP and TCP; without
 * it everyone may, as in Lovebeat. Asked once per datagram, so answers are cached per address.
 */
export class TrustedSources {
  private readonly list: BlockList | null;
  private readonly answers = new Map<string, boolean>();

  /** `sources` null: everyone is trusted. */
  constructor(sources: string[] | null) {
    if (sources === null) {
      this.list = null;
      return;
    }
    this.list = new BlockList();
    for (const source of sources) {
      const [address, bits] = source.split('/') as [string, string | undefined];
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(bits), type);
    }
  }

  static fromConfig({ heartbeat, statsd }: { heartbeat: HeartbeatSection; statsd: StatsdSection }): TrustedSources {
    return new TrustedSources(heartbeat.require_token ? statsd.trusted_sources : null);
  }

  get everyone(): boolean {
    return this.list === null;
  }

  allows(address: string): boolean {
    if (this.list === null) return true;
    let answer = this.answers.get(address);
    if (answer === undefined) {
      answer = this.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
      if (this.answers.size >= MAX_CACHED) this.answers.clear();
      this.answers.set(address, answer);
    }
    return answer;
  }
}

/** The listeners' door: refuses datagrams and connections from untrusted senders, counted and logged at debug. */
@Injectable()
export class StatsdSourceGate {
  private readonly sources: TrustedSources;
  private readonly refused: Counter<'transport'>;

  constructor(
    heartbeat: HeartbeatSection,
    statsd: StatsdSection,
    @Inject(PULSE_LOGGER) private readonly logger: PulseLogger,
    metrics: MetricsService,
  ) {
    this.sources = TrustedSources.fromConfig({ heartbeat, statsd });
    this.refused = metrics.counter({
      name: 'pulse_statsd_untrusted_refused_total',
      help: 'statsd datagrams (udp) and connections (tcp) refused: the sender is not in [statsd] trusted_sources and [heartbeat] require_token is on',
      labelNames: ['transport'],
    });
  }

  admits(address: string, transport: Exclude<Transport, 'http'>): boolean {
    if (this.sources.allows(address)) return true;
    this.refused.inc({ transport });
    if (this.logger.isEnabled('debug')) {
      const what = transport === 'udp' ? 'datagram' : 'connection';
      this.logger.debug(
        `refused statsd ${what} from ${address}: not in [statsd] trusted_sources ([heartbeat] require_token = true)`,
        'Statsd',
      );
    }
    return false;
  }
}
