import type { AgentConfig } from '../config/remote-config.schema.js';
import type { CollectorSections } from './collector-options.js';
import type { CollectorPlugin, MetricSample, PluginContext, PluginLogger } from '../plugin-host/contracts.js';
import { createPluginContext } from '../plugin-host/plugin-context.js';
import { validatePluginConfig } from '../plugin-host/plugin-config.js';
import type { RegisteredCollector } from '../plugin-host/plugin-registry.js';
import { EXIT_CONFIG, StartupError } from '../runtime/startup-error.js';

/** A collector ready to run: its plugin and its validated config. */
export interface CollectorSetup {
  id: string;
  plugin: CollectorPlugin<object>;
  config: object;
}

/**
 * The collectors agent.conf asks for (`collectors`, default: every installed one), each with its config:
 * a collector's option takes the value of the agent.conf key of the same name (`disks_exclude`,
 * `net_exclude`), or of that key in the table named after the collector (`[processes] names`), which
 * wins; so a collector's options live in agent.conf without the agent knowing any collector. An unknown
 * collector or an option the collector refuses stops the start, naming the key.
 */
export function setUpCollectors(installed: RegisteredCollector[], config: AgentConfig, sections: CollectorSections = {}): CollectorSetup[] {
  const byId = new Map(installed.map((collector) => [collector.id, collector]));
  const wanted = config.collectors.length > 0 ? [...new Set(config.collectors)] : [...byId.keys()].sort();
  const unknown = wanted.filter((id) => !byId.has(id));
  if (unknown.length > 0)
    throw new StartupError(
      `collectors: ${unknown.map((id) => `"${id}"`).join(', ')} ${unknown.length === 1 ? 'is not an installed collector' : 'are not installed collectors'}; installed: ${[...byId.keys()].sort().join(', ') || 'none'}`,
      { exitCode: EXIT_CONFIG },
    );
  if (wanted.length === 0)
    throw new StartupError('no collector plugin is installed: this agent has nothing to report', { exitCode: EXIT_CONFIG });
  return wanted.map((id) => {
    const collector = byId.get(id)!;
    const keys = Object.keys(new collector.meta.config());
    const own = sections[id] ?? {};
    const raw = Object.fromEntries(
      keys.filter((key) => key in config).map((key) => [key, (config as unknown as Record<string, unknown>)[key]]),
    );
    Object.assign(raw, own);
    const validated = validatePluginConfig(collector.meta.config, raw);
    if (!validated.ok)
      throw new StartupError(
        `collector ${id}: ${validated.errors
          .map(
            (error) =>
              `${error.field && error.field.split('.')[0]! in own ? `${id}.${error.field}` : error.field || 'its options'}: ${error.message}`,
          )
          .join('; ')}`,
        { exitCode: EXIT_CONFIG },
      );
    return { id, plugin: collector.plugin, config: validated.value };
  });
}

export interface RoundResult {
  samples: MetricSample[];
  /** Collectors that failed or ran out of time this round, with why. */
  failures: { id: string; problem: string }[];
}

/**
 * One collection round: every collector at once, each within `timeoutMs` (a slow or hung one is left out of
 * this round's report, not waited for), their samples together. Core owns policy: a failure is reported to
 * the caller, and the next round (the next interval) is the retry.
 */
export async function collectRound(
  collectors: readonly CollectorSetup[],
  context: PluginContext,
  loggerOf: (id: string) => PluginLogger,
): Promise<RoundResult> {
  const failures: RoundResult['failures'] = [];
  const results = await Promise.all(
    collectors.map(async (collector) => {
      const own = createPluginContext({ timeoutMs: context.timeoutMs, logger: loggerOf(collector.id), parent: context.signal });
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${context.timeoutMs} ms`)), context.timeoutMs);
      });
      try {
        const samples = await Promise.race([collector.plugin.collect(collector.config, own), deadline]);
        return Array.isArray(samples) ? samples : [];
      } catch (error) {
        const problem =
          own.signal.aborted && !context.signal.aborted ? `no answer within ${context.timeoutMs} ms` : (error as Error).message;
        failures.push({ id: collector.id, problem: problem || String(error) });
        return [];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { samples: results.flat(), failures };
}
