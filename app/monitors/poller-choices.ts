import type { PollerChoice } from './monitor-form.js';

/**
 * The pollers a monitor's Sources field offers (SPEC §8: every active poller selectable). The pollers
 * feature provides it: pollers depend on monitors, never the reverse. Without it (a build without
 * pollers) the field offers none.
 */
export abstract class PollerChoices {
  /** The active pollers by name, then those of `assigned` that are not active (shown so a save keeps them). */
  abstract choices(assigned: readonly number[]): PollerChoice[];
}
