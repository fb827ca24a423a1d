import type { MetricsService } from '../metrics/metrics.service.js';
import type { BatchWriterMetrics } from './batch-writer.js';

const pendingByRegistry = new WeakMap<MetricsService, Map<string, () => number>>();

/**
 * `pulse_write_queue_pending{queue}` and `pulse_write_queue_dropped_total{queue}` for one BatchWriter:
 * how much waits in memory for the database, and how much was given up on.
 */
export function writeQueueMetrics(metrics: MetricsService, queue: string, pending: () => number): BatchWriterMetrics {
  let queues = pendingByRegistry.get(metrics);
  if (!queues) {
    const known = new Map<string, () => number>();
    queues = known;
    pendingByRegistry.set(metrics, known);
    metrics.gauge({
      name: 'pulse_write_queue_pending',
      help: 'Items (check results, heartbeat changes, state changes) waiting in memory to be written to the database',
      labelNames: ['queue'],
      collect() {
        for (const [name, count] of known) this.set({ queue: name }, count());
      },
    });
  }
  queues.set(queue, pending);
  const dropped = metrics.counter({
    name: 'pulse_write_queue_dropped_total',
    help: 'Items never written because the database kept failing and the queue was full (or a batch kept failing on a non-storage error)',
    labelNames: ['queue'],
  });
  dropped.inc({ queue }, 0);
  return { dropped: (count) => dropped.inc({ queue }, count) };
}
