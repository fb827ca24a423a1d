import { BlockList, isIP } from 'node:net';
import type { HeartbeatSection, StatsdSection } from '../config/config.schema.js';

export interface TrustSettings {
  heartbeat: HeartbeatSection;
  statsd: StatsdSection;
}

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

  static fromConfig(config: TrustSettings): TrustedSources {
    return new TrustedSources(TrustedSources.listFrom(config));
  }

  /** The sources to trust, or null for everyone: what a receive worker is given. */
  static listFrom({ heartbeat, statsd }: TrustSettings): string[] | null {
    return heartbeat.require_token ? statsd.trusted_sources : null;
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
