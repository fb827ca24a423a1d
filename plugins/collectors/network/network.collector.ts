import { Injectable } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { readdir, readFile } from 'node:fs/promises';
import si from 'systeminformation';
import { Collector, globMatcher, type CollectorPlugin, type MetricSample, type PluginContext } from '../../../app/plugin-host/index.js';
import { NetworkConfig } from './network.config.js';
import { networkForm } from './network.form.js';

/** How long the first collection measures: a rate needs two readings of the counters. */
export const FIRST_WINDOW_MS = 1000;
/** ARPHRD_LOOPBACK in /sys/class/net/<iface>/type. */
const LOOPBACK_TYPE = '772';
const SYS_NET = '/sys/class/net';

export interface Counters {
  /** When they were read (ms, monotonic). */
  at: number;
  bytes: Map<string, { rx: number; tx: number }>;
}

/**
 * `net.rx_bps` and `net.tx_bps`: bits per second received and sent per interface (label `iface`), computed
 * from the byte counters (systeminformation's networkStats, from /sys/class/net) between the previous
 * collection and this one. The first collection reads the counters twice, a second apart. An interface
 * that appeared, or whose counters went backwards (reset), is reported from its next collection on.
 */
@Collector({ id: 'network', title: 'Network', config: NetworkConfig, example: { net_exclude: ['veth*', 'docker0'] }, form: networkForm })
@Injectable()
export class NetworkCollector implements CollectorPlugin<NetworkConfig> {
  private previous: Counters | null = null;

  async collect(config: NetworkConfig, context: PluginContext): Promise<MetricSample[]> {
    const interfaces = await interfacesToWatch(config.net_exclude);
    if (this.previous === null) {
      this.previous = await readCounters(interfaces);
      await delay(FIRST_WINDOW_MS, undefined, { signal: context.signal });
    }
    const current = await readCounters(interfaces);
    context.signal.throwIfAborted();
    const samples = rates(this.previous, current);
    this.previous = current;
    return samples;
  }
}

/** Rates between two readings, for the interfaces present in both with counters that did not go back. */
export function rates(previous: Counters, current: Counters): MetricSample[] {
  const seconds = (current.at - previous.at) / 1000;
  if (!(seconds > 0)) return [];
  const samples: MetricSample[] = [];
  for (const [iface, now] of [...current.bytes].sort(([a], [b]) => a.localeCompare(b))) {
    const before = previous.bytes.get(iface);
    if (!before || now.rx < before.rx || now.tx < before.tx) continue;
    const labels = { iface };
    samples.push({ metric: 'net.rx_bps', value: Math.round(((now.rx - before.rx) * 8) / seconds), labels });
    samples.push({ metric: 'net.tx_bps', value: Math.round(((now.tx - before.tx) * 8) / seconds), labels });
  }
  return samples;
}

/** Every interface but the loopback and the excluded ones. */
async function interfacesToWatch(exclude: readonly string[]): Promise<string[]> {
  const excluded = globMatcher(exclude);
  const names = await readdir(SYS_NET).catch(() => [] as string[]);
  const watched: string[] = [];
  for (const name of names.sort()) {
    if (excluded(name)) continue;
    const type = await readFile(`${SYS_NET}/${name}/type`, 'utf8').catch(() => '');
    if (type.trim() !== LOOPBACK_TYPE) watched.push(name);
  }
  return watched;
}

async function readCounters(interfaces: string[]): Promise<Counters> {
  const bytes = new Map<string, { rx: number; tx: number }>();
  if (interfaces.length > 0) {
    for (const stats of await si.networkStats(interfaces.join(','))) {
      if (interfaces.includes(stats.iface) && Number.isFinite(stats.rx_bytes) && Number.isFinite(stats.tx_bytes))
        bytes.set(stats.iface, { rx: stats.rx_bytes, tx: stats.tx_bytes });
    }
  }
  return { at: performance.now(), bytes };
}
