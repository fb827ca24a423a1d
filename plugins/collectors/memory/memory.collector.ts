import { Injectable } from '@nestjs/common';
import si from 'systeminformation';
import { Collector, type CollectorPlugin, type MetricSample, type PluginContext } from '../../../app/plugin-host/index.js';
import { MemoryConfig } from './memory.config.js';
import { memoryForm } from './memory.form.js';

/**
 * `memory.total|used|percent` and `swap.total|used|percent`, in bytes and percent (systeminformation's mem,
 * from /proc/meminfo). Used memory is total − available: page cache the kernel can drop is not "used", so a
 * file server with a full cache does not look out of memory. No swap: all three swap figures are 0.
 */
@Collector({ id: 'memory', title: 'Memory and swap', config: MemoryConfig, example: {}, form: memoryForm })
@Injectable()
export class MemoryCollector implements CollectorPlugin<MemoryConfig> {
  async collect(_config: MemoryConfig, context: PluginContext): Promise<MetricSample[]> {
    const memory = await si.mem();
    context.signal.throwIfAborted();
    const used = Math.max(0, memory.total - memory.available);
    return [
      { metric: 'memory.total', value: memory.total },
      { metric: 'memory.used', value: used },
      { metric: 'memory.percent', value: percentOf(used, memory.total) },
      { metric: 'swap.total', value: memory.swaptotal },
      { metric: 'swap.used', value: memory.swapused },
      { metric: 'swap.percent', value: percentOf(memory.swapused, memory.swaptotal) },
    ];
  }
}

function percentOf(part: number, whole: number): number {
  return whole > 0 ? Math.round((10_000 * part) / whole) / 100 : 0;
}
