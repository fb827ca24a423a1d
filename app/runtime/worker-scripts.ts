import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Role } from './roles.js';
import { seaApi } from './sea.js';

/*
 * Worker thread scripts, in one table: from source a worker runs the compiled file under dist/; a single
 * executable has one embedded script, so scripts/build-binaries.ts bundles each worker into a SEA asset
 * and the worker runs that source (`eval`). A worker script imports only node builtins and plain modules.
 */
export const WORKER_SCRIPTS = {
  'statsd-receive': { file: 'app/statsd/statsd-receive.worker.js', roles: ['server'] as Role[] },
} as const;

export type WorkerScript = keyof typeof WORKER_SCRIPTS;

/** The SEA asset holding a worker's bundled source. */
export function workerAsset(name: WorkerScript): string {
  return `workers/${name}.cjs`;
}

export function startWorker(name: WorkerScript, options: WorkerOptions): Worker {
  const sea = seaApi();
  if (sea) return new Worker(Buffer.from(sea.getAsset(workerAsset(name))).toString('utf8'), { ...options, eval: true });
  return new Worker(new URL(`../../${WORKER_SCRIPTS[name].file}`, import.meta.url), options);
}
