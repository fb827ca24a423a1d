import type { ConfigRest } from '../config/config.loader.js';
import { declaredMeta, type PluginModuleRef } from '../plugin-host/plugin-module-ref.js';

/** Each collector's options from its own agent.conf table (`[processes]`), by collector id. */
export type CollectorSections = Readonly<Record<string, Record<string, unknown>>>;

/**
 * Lets each loaded collector claim the agent.conf table named after its id, with the keys of its config
 * class (`[processes] names = ["nginx"]`, or PULSE_PROCESSES_NAMES); a key the collector does not have is
 * warned about with its line. What no collector claims is warned about when `rest` settles. Read before
 * Nest starts, from the plugin modules' declarations, as the server's alerters read theirs.
 */
export function claimCollectorSections(rest: ConfigRest, plugins: readonly PluginModuleRef[]): CollectorSections {
  const sections: Record<string, Record<string, unknown>> = {};
  for (const ref of plugins) {
    if (ref.kind !== 'collector') continue;
    const meta = declaredMeta('collector', ref.module);
    if (typeof meta?.config !== 'function') continue; // a malformed declaration is refused by the registry, naming it
    const values = rest.claimSection(ref.id, { ...(new meta.config() as Record<string, unknown>) }, `collector ${ref.id} (${ref.folder})`);
    if (values && Object.keys(values).length > 0) sections[ref.id] = values;
  }
  return sections;
}
