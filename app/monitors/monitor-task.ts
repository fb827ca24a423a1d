import type { CheckTask } from '../scheduler/check-task.js';
import type { Monitor } from './monitor.entity.js';

/** The check task of a monitor: what the server's own runner runs, and what a poller gets from /api/poller/tasks. */
export function checkTaskOf(
  monitor: Pick<Monitor, 'id' | 'type' | 'target' | 'options' | 'intervalS' | 'timeoutS' | 'retries'>,
): CheckTask {
  return {
    id: monitor.id,
    type: monitor.type,
    target: monitor.target,
    options: monitor.options,
    interval: monitor.intervalS,
    timeout: monitor.timeoutS,
    retries: monitor.retries,
  };
}
