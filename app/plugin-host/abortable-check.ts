import type { CheckResult, PluginContext } from './contracts.js';

/** The result of a check whose monitor timeout (or shutdown) came first. */
export function noAnswer(context: PluginContext): CheckResult {
  return { status: 'down', latencyMs: null, message: `no answer within ${context.timeoutMs} ms` };
}

/**
 * Runs a callback-style check that settles exactly once: with what `start` passes to `finish`, or with
 * "no answer within <timeout> ms" when the context aborts first. `start` returns its cleanup (close the
 * socket or session), which runs once either way.
 */
export function abortableCheck(
  context: PluginContext,
  start: (finish: (result: CheckResult) => void) => (() => void) | void,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    let settled = false;
    let cleanup: (() => void) | void;
    const finish = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      context.signal.removeEventListener('abort', onAbort);
      cleanup?.();
      resolve(result);
    };
    const onAbort = () => finish(noAnswer(context));
    if (context.signal.aborted) return onAbort();
    context.signal.addEventListener('abort', onAbort, { once: true });
    cleanup = start(finish);
    if (settled) cleanup?.();
  });
}
