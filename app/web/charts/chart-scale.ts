/**
 * Scales and ticks for the console's SVG charts: linear value axes with round steps, and time axes in UTC
 * (the console shows every time in UTC). Pure functions.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A point of a series: a time (epoch ms) and a value, or null where there is no value (a gap). */
export interface ChartPoint {
  t: number;
  v: number | null;
}

export interface Tick {
  /** Position on the axis, in SVG units. */
  at: number;
  label: string;
}

/** The smallest "round" step (1, 2, 2.5, 5 × 10^n) that splits `span` into at most `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || count < 1) return 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * magnitude >= raw) return factor * magnitude;
  return 10 * magnitude;
}

/** Top of a value axis that starts at zero: `max` rounded up to a whole number of round steps (at least one step). */
export function niceMax(max: number, count = 4): number {
  if (!(max > 0)) return 1;
  const step = niceStep(max, count);
  return Math.ceil(max / step) * step;
}

/** `0, 50, 100 ms` ticks of a 0-based axis up to `top`, placed by `y(value)`. */
export function valueTicks(top: number, count: number, y: (value: number) => number, unit = ''): Tick[] {
  const step = niceStep(top, count);
  const ticks: Tick[] = [];
  for (let value = 0; value <= top + step / 1e6; value += step) ticks.push({ at: y(value), label: formatValue(value, unit) });
  return ticks;
}

/** `12 ms`, `1.5 s`, `0.25 ms`: a latency as a short label. */
export function formatValue(value: number, unit = ''): string {
  if (unit === 'ms' && value >= 1000) return `${trim(value / 1000)} s`;
  return unit ? `${trim(value)} ${unit}` : trim(value);
}

function trim(value: number): string {
  if (value === 0) return '0';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

const TIME_STEPS = [
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  5 * DAY,
  7 * DAY,
  14 * DAY,
];

const pad = (n: number) => String(n).padStart(2, '0');

/** Time ticks on whole UTC steps between `from` and `to`: `14:00` within a day, `Nov 28` across days. */
export function timeTicks(from: number, to: number, maxTicks: number, x: (t: number) => number): Tick[] {
  const span = to - from;
  if (!(span > 0)) return [];
  const step = TIME_STEPS.find((candidate) => span / candidate <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: Tick[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) {
    const d = new Date(t);
    const label =
      step >= DAY
        ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`
        : d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && span > DAY
          ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`
          : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    ticks.push({ at: x(t), label });
  }
  return ticks;
}

/** A number for an SVG attribute: at most two decimals, no trailing zeros. */
export function svgNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/**
 * An SVG path through the points (`M x y L x y …`); a null value ends a run and the next value starts a
 * new one, so gaps in the data show as gaps. A run of one point is drawn as a short dash, so it is visible.
 */
export function linePath(points: readonly ChartPoint[], x: (t: number) => number, y: (v: number) => number): string {
  const parts: string[] = [];
  let run: string[] = [];
  const close = () => {
    if (run.length === 1) run.push('h2');
    if (run.length > 0) parts.push(run.join(' '));
    run = [];
  };
  for (const point of points) {
    if (point.v === null || !Number.isFinite(point.v)) {
      close();
      continue;
    }
    run.push(`${run.length === 0 ? 'M' : 'L'}${svgNumber(x(point.t))} ${svgNumber(y(point.v))}`);
  }
  close();
  return parts.join(' ');
}
