import { formatDuration } from '../web/view-helpers.js';

export interface IntervalBarsView {
  width: number;
  height: number;
  bars: { x: number; y: number; width: number; height: number; over: boolean; label: string }[];
  /** Where the timeout line is drawn (null without a deadline), and its label. */
  timeout: { y: number; label: string } | null;
  /** The top of the scale, as text. */
  max: string;
  empty: boolean;
}

const WIDTH = 600;
const HEIGHT = 120;
const TOP = 8;

/**
 * The intervals between a service's recorded beats as bars, oldest left, against its effective timeout
 * (a line): an SVG the server draws (`views/partials/heartbeats/interval-bars.hbs`), no chart library.
 * A bar above the line is an interval that was (or would have been) too long.
 */
export function intervalBars(intervals: readonly number[], timeoutMs: number): IntervalBarsView {
  const hasTimeout = timeoutMs > 0;
  const top = Math.max(...intervals, hasTimeout ? timeoutMs : 0, 1) * 1.08;
  const scale = (value: number) => ((HEIGHT - TOP) * value) / top;
  const slot = WIDTH / Math.max(intervals.length, 10);
  const bars = intervals.map((interval, index) => {
    const height = Math.max(1.5, scale(interval));
    return {
      x: round(index * slot + slot * 0.15),
      y: round(HEIGHT - height),
      width: round(slot * 0.7),
      height: round(height),
      over: hasTimeout && interval > timeoutMs,
      label: formatDuration(interval),
    };
  });
  return {
    width: WIDTH,
    height: HEIGHT,
    bars,
    timeout: hasTimeout ? { y: round(HEIGHT - scale(timeoutMs)), label: `timeout ${formatDuration(timeoutMs)}` } : null,
    max: formatDuration(top),
    empty: intervals.length === 0,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
