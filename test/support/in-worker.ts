import { Worker } from 'node:worker_threads';

/**
 * Runs `compute(module)` in a worker thread and returns its result, or fails naming `what` when no
 * answer comes within `limitMs`. For code that could block the event loop for minutes (a backtracking
 * matcher): the test stays in charge and reports a failure instead of hanging. `compute` must use
 * nothing but its argument (it is sent to the worker as source text); the limit is a generous bound
 * for "never answers", not a measurement.
 */
export async function answerInWorker<Module, Result>(
  moduleUrl: URL,
  compute: (module: Module) => Result,
  what: string,
  limitMs = 60_000,
): Promise<Result> {
  const source = [
    `import { parentPort } from 'node:worker_threads';`,
    `import * as module from ${JSON.stringify(moduleUrl.href)};`,
    `parentPort.postMessage((${compute.toString()})(module));`,
  ].join('\n');
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Result>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${limitMs / 1000} s`)), limitMs);
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}
