import type { ModuleRef } from '@nestjs/core';

/** A monitor or an agent as the maintenance form offers it. */
export interface ScopeChoice {
  id: number;
  name: string;
  /** What tells it apart in the list: a monitor's type (`http`), an agent's host name. */
  tag: string;
}

/**
 * What a maintenance window can cover, as the maintenance pages pick it. Maintenance defines these ports
 * and the features provide them (monitors and agents depend on maintenance, never the reverse).
 */
export abstract class ScopeChoices {
  /** Those whose name contains `text` (any case), by name, at most `limit`. */
  abstract search(text: string, limit: number): Promise<ScopeChoice[]>;
  /** Those with these ids that exist. */
  abstract byIds(ids: readonly number[]): Promise<ScopeChoice[]>;
}

export abstract class MonitorChoices extends ScopeChoices {}
export abstract class AgentChoices extends ScopeChoices {}

/** A server without that feature: nothing to choose. */
const NO_CHOICES: ScopeChoices = {
  search: () => Promise.resolve([]),
  byIds: () => Promise.resolve([]),
};

/** The provider a feature registered, found at run time (maintenance imports nothing of monitors or agents). */
export function scopeChoicesOf(moduleRef: ModuleRef, port: typeof MonitorChoices | typeof AgentChoices): ScopeChoices {
  try {
    return moduleRef.get(port, { strict: false });
  } catch {
    return NO_CHOICES;
  }
}
