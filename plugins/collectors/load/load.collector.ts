import { Injectable } from '@nestjs/common';
import os from 'node:os';
import { Collector, type CollectorPlugin, type MetricSample, type PluginContext } from '../../../app/plugin-host/index.js';
import { LoadConfig } from './load.config.js';
import { loadForm } from './load.form.js';

/**
 * `cpu.load1`, `cpu.load5`, `cpu.load15`: the kernel's load averages (/proc/loadavg), not divided by the
 * cores (compare with `cpu.cores`). Read through Node's os.loadavg(), the same call systeminformation makes.
 */
@Collector({ id: 'load', title: 'Load average', config: LoadConfig, example: {}, form: loadForm })
@Injectable()
export class LoadCollector implements CollectorPlugin<LoadConfig> {
  collect(_config: LoadConfig, context: PluginContext): Promise<MetricSample[]> {
    context.signal.throwIfAborted();
    const [load1, load5, load15] = os.loadavg().map((value) => Math.round(value * 100) / 100) as [number, number, number];
    return Promise.resolve([
      { metric: 'cpu.load1', value: load1 },
      { metric: 'cpu.load5', value: load5 },
      { metric: 'cpu.load15', value: load15 },
    ]);
  }
}
