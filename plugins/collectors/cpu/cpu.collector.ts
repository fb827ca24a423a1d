import { Injectable } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import si from 'systeminformation';
import { Collector, type CollectorPlugin, type MetricSample, type PluginContext } from '../../../app/plugin-host/index.js';
import { CpuConfig } from './cpu.config.js';
import { cpuForm } from './cpu.form.js';

/** How long the first collection measures: before it there is no previous one to measure from. */
export const FIRST_WINDOW_MS = 1000;

/**
 * `cpu.percent`: the busy share of all cores between the previous collection and this one (systeminformation's
 * currentLoad, from the kernel's per-CPU times); `cpu.cores`: logical CPUs. The first collection measures a
 * one-second window, so the first report already says what the machine does now, not since boot.
 */
@Collector({ id: 'cpu', title: 'CPU', config: CpuConfig, example: {}, form: cpuForm })
@Injectable()
export class CpuCollector implements CollectorPlugin<CpuConfig> {
  private primed = false;

  async collect(_config: CpuConfig, context: PluginContext): Promise<MetricSample[]> {
    if (!this.primed) {
      await si.currentLoad();
      await delay(FIRST_WINDOW_MS, undefined, { signal: context.signal });
      this.primed = true;
    }
    const load = await si.currentLoad();
    context.signal.throwIfAborted();
    return [
      { metric: 'cpu.percent', value: Math.round(clampPercent(load.currentLoad) * 100) / 100 },
      { metric: 'cpu.cores', value: load.cpus.length },
    ];
  }
}

function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
}
