import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import os from 'node:os';
import { ServerConfig, type NotifyConfig } from '../config/config.schema.js';

const REQUEST_TIMEOUT_MS = 10_000;

/** The name this server beats under at its peers: `pulse.<hostname>.monitor`, in service-name characters. */
export function monitorServiceName(hostname = os.hostname()): string {
  return `pulse.${hostname.replace(/[^A-Za-z0-9._-]/g, '-') || 'unknown'}.monitor`;
}

/**
 * `[[notify]] lovebeat = URL`: every `interval` seconds (default 60) this server beats
 * `pulse.<hostname>.monitor` at another Pulse or Lovebeat, so that one notices when this one goes quiet.
 */
@Injectable()
export class NotifyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Notify');
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly failing = new Set<string>();
  private readonly serviceName = monitorServiceName();

  constructor(private readonly config: ServerConfig) {}

  onApplicationBootstrap(): void {
    for (const peer of this.config.notify.filter((entry) => entry.lovebeat !== '')) {
      void this.beat(peer);
      const timer = setInterval(() => void this.beat(peer), peer.interval * 1000);
      timer.unref();
      this.timers.push(timer);
      this.logger.log(`beating ${this.serviceName} at ${peer.lovebeat} every ${peer.interval} s`);
    }
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  private async beat(peer: NotifyConfig): Promise<void> {
    const url = `${peer.lovebeat.replace(/\/+$/, '')}/api/services/${this.serviceName}`;
    const headers: Record<string, string> = { 'user-agent': 'LILLYDOO-Pulse' };
    if (peer.token !== '') headers.authorization = `Bearer ${peer.token}`;
    try {
      const response = await fetch(url, { method: 'POST', headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (this.failing.delete(peer.lovebeat)) this.logger.log(`beats reach ${peer.lovebeat} again`);
    } catch (error) {
      const reason = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
      if (!this.failing.has(peer.lovebeat))
        this.logger.warn(`cannot beat at ${peer.lovebeat}: ${reason} (retrying every ${peer.interval} s)`);
      this.failing.add(peer.lovebeat);
    }
  }
}
