import { formatValue, linePath, svgNumber, type ChartPoint } from './chart-scale.js';

export interface SparklineOptions {
  from: number;
  to: number;
  width?: number;
  height?: number;
  /** Unit of the values, for the text alternative (`ms`). */
  unit?: string;
  /** What the line shows, for the text alternative: `Latency, last hour`. */
  subject: string;
}

/** What `views/partials/charts/sparkline.hbs` draws. */
export interface SparklineView {
  width: number;
  height: number;
  /** The line, with gaps where there was no value; empty when there is no value at all. */
  path: string;
  /** The newest point, marked with a dot. */
  last: { x: string; y: string } | null;
  /** The text alternative: what a person would read off the chart. */
  label: string;
  empty: boolean;
}

/**
 * A small line of values over time (the dashboard's latency per monitor), scaled from zero to the
 * largest value so that a flat line means steady, not "zero". The text alternative says the range and
 * the latest value.
 */
export function sparkline(points: readonly ChartPoint[], options: SparklineOptions): SparklineView {
  const width = options.width ?? 120;
  const height = options.height ?? 28;
  const unit = options.unit ?? '';
  const values = points.filter((point): point is { t: number; v: number } => point.v !== null && Number.isFinite(point.v));
  if (values.length === 0) return { width, height, path: '', last: null, label: `${options.subject}: no data`, empty: true };
  const max = Math.max(...values.map((point) => point.v));
  const min = Math.min(...values.map((point) => point.v));
  const top = max > 0 ? max * 1.1 : 1;
  const pad = 2;
  const span = Math.max(1, options.to - options.from);
  const x = (t: number) => pad + ((Math.min(Math.max(t, options.from), options.to) - options.from) / span) * (width - 2 * pad);
  const y = (v: number) => height - pad - (v / top) * (height - 2 * pad);
  const newest = values[values.length - 1]!;
  const range = min === max ? formatValue(min, unit) : `${formatValue(min, unit)} to ${formatValue(max, unit)}`;
  return {
    width,
    height,
    path: linePath(points, x, y),
    last: { x: svgNumber(x(newest.t)), y: svgNumber(y(newest.v)) },
    label: `${options.subject}: ${range}, latest ${formatValue(newest.v, unit)}`,
    empty: false,
  };
}
