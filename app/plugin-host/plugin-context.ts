import type { LoggerService } from '@nestjs/common';
import type { PluginContext, PluginLogger } from './contracts.js';
import type { NetworkPolicy } from './network-policy.js';

/** A context for one plugin call: aborts after `timeoutMs`, or earlier when `parent` aborts (shutdown). */
export function createPluginContext(options: {
  timeoutMs: number;
  logger: PluginLogger;
  parent?: AbortSignal;
  network?: NetworkPolicy;
}): PluginContext {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.parent ? AbortSignal.any([options.parent, timeout]) : timeout;
  return { signal, timeoutMs: options.timeoutMs, logger: options.logger, ...(options.network ? { network: options.network } : {}) };
}

/** Plugin log lines carry the plugin's id as context: `plugin:http`. */
export function pluginLogger(logger: LoggerService, pluginId: string): PluginLogger {
  return contextLogger(logger, `plugin:${pluginId}`);
}

/** A PluginLogger whose lines carry `context` (Nest's logger takes the context as its last argument). */
export function contextLogger(logger: LoggerService, context: string): PluginLogger {
  return {
    debug: (message) => logger.debug?.(message, context),
    info: (message) => logger.log(message, context),
    warn: (message) => logger.warn(message, context),
  };
}
