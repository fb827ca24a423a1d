import type { ModuleRef } from '@nestjs/core';

/** A monitor as the maintenance form offers it. */
export interface MonitorChoice {
  id: number;
  name: string;
  type: string;
}

/**
 * The monitors a maintenance window can cover, as the maintenance pages see them. Maintenance defines
 * this port and the monitors feature provides it (monitors depend on maintenance, never the reverse).
 */
export abstract class MonitorChoices {
  /** Monitors whose name contains `text` (any case), by name, at most `limit`. */
  abstract search(text: string, limit: number): Promise<MonitorChoice[]>;
  /** The monitors with these ids that exist. */
  abstract byIds(ids: readonly number[]): Promise<MonitorChoice[]>;
}

/** A server without monitors: nothing to choose. */
export const NO_MONITOR_CHOICES: MonitorChoices = {
  search: () => Promise.resolve([]),
  byIds: () => Promise.resolve([]),
};

/** The provider the monitors feature registered, found at run time (maintenance imports nothing of monitors). */
export function monitorChoicesOf(moduleRef: ModuleRef): MonitorChoices {
  try {
    return moduleRef.get(MonitorChoices, { strict: false });
  } catch {
    return NO_MONITOR_CHOICES;
  }
}
