import { Injectable } from '@nestjs/common';
import os from 'node:os';
import si from 'systeminformation';
import { Collector, type CollectorPlugin, type MetricSample, type PluginContext } from '../../../app/plugin-host/index.js';
import { UptimeConfig } from './uptime.config.js';
import { uptimeForm } from './uptime.form.js';

/**
 * `uptime_s`: seconds since boot (systeminformation's time()); `host.info`: an info sample (value 1, the
 * Prometheus convention for facts that are text) whose labels are the host name and the operating system,
 * e.g. `{hostname: "web1", os: "Debian GNU/Linux 12 (bookworm), kernel 6.1.0-18-amd64 x64"}`. The
 * operating system is read once (systeminformation's osInfo runs commands); the host name every time.
 */
@Collector({ id: 'uptime', title: 'Uptime and host', config: UptimeConfig, example: {}, form: uptimeForm })
@Injectable()
export class UptimeCollector implements CollectorPlugin<UptimeConfig> {
  private system: Promise<string> | null = null;

  async collect(_config: UptimeConfig, context: PluginContext): Promise<MetricSample[]> {
    this.system ??= describeSystem().catch((error: unknown) => {
      this.system = null;
      throw error;
    });
    const system = await this.system;
    context.signal.throwIfAborted();
    return [
      { metric: 'uptime_s', value: Math.floor(si.time().uptime) },
      { metric: 'host.info', value: 1, labels: { hostname: os.hostname(), os: system } },
    ];
  }
}

async function describeSystem(): Promise<string> {
  const info = await si.osInfo();
  const distro = [info.distro, info.release].filter(Boolean).join(' ');
  const name = info.codename ? `${distro} (${info.codename})` : distro || info.platform;
  return `${name}, kernel ${info.kernel} ${info.arch}`.slice(0, 200);
}
