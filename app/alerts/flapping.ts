/** Nagios keeps the last 21 states: 20 transitions between them. */
export const FLAP_HISTORY = 21;

/**
 * Nagios-style percent state change over the recorded states (oldest first): each transition between
 * consecutive states counts with a weight rising linearly from 0.8 (oldest) to 1.2 (newest), so recent
 * changes matter more; the result is 0-100.
 */
export function percentStateChange(states: readonly string[]): number {
  const transitions = FLAP_HISTORY - 1;
  let weighted = 0;
  const recorded = states.slice(-FLAP_HISTORY);
  const offset = FLAP_HISTORY - recorded.length; // fewer states than 21: the missing oldest ones are unchanged
  for (let index = 1; index < recorded.length; index++) {
    if (recorded[index] !== recorded[index - 1]) {
      const position = offset + index - 1; // 0 (oldest transition) … 19 (newest)
      weighted += 0.8 + (0.4 * position) / (transitions - 1);
    }
  }
  return Math.round((weighted / transitions) * 100 * 100) / 100;
}

export interface FlapObservation {
  flapping: boolean;
  /** Flapping began / ended with this observation. */
  started: boolean;
  stopped: boolean;
  percent: number;
}

/**
 * Tracks flapping per subject: it begins when the percent state change reaches `high` and ends when it
 * falls below `low` (the gap keeps it from toggling at the border).
 */
export class FlapDetector {
  private readonly histories = new Map<string, { states: string[]; flapping: boolean }>();

  constructor(
    private readonly high: number,
    private readonly low: number,
  ) {}

  observe(subject: string, state: string): FlapObservation {
    let history = this.histories.get(subject);
    if (!history) {
      history = { states: [], flapping: false };
      this.histories.set(subject, history);
    }
    history.states.push(state);
    if (history.states.length > FLAP_HISTORY) history.states.shift();
    const percent = percentStateChange(history.states);
    const wasFlapping = history.flapping;
    if (!wasFlapping && percent >= this.high) history.flapping = true;
    else if (wasFlapping && percent < this.low) history.flapping = false;
    return { flapping: history.flapping, started: !wasFlapping && history.flapping, stopped: wasFlapping && !history.flapping, percent };
  }

  isFlapping(subject: string): boolean {
    return this.histories.get(subject)?.flapping ?? false;
  }

  forget(subject: string): void {
    this.histories.delete(subject);
  }
}
