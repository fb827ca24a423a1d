import { formatValue, linePath, niceMax, svgNumber, timeTicks, valueTicks, type ChartPoint, type Tick } from './chart-scale.js';

export interface ChartSeries {
  /** Shown in the legend and the text alternative: `Public`, `Hamburg DC`. */
  name: string;
  points: readonly ChartPoint[];
}

export interface LineChartOptions {
  from: number;
  to: number;
  /** `Latency over the last 24 hours`: the chart's title (and its accessible name). */
  title: string;
  unit?: string;
  /** A fixed top of the value axis (100 for percentages); from the data when left out. */
  max?: number;
  width?: number;
  height?: number;
}

export interface LineChartSeriesView {
  name: string;
  /** `chart-series-0` …: the stylesheet gives each a colour (the legend says which is which). */
  className: string;
  path: string;
  /** `min 12 ms, average 20 ms, max 48 ms` (or `no data`). */
  summary: string;
  empty: boolean;
}

/** What `views/partials/charts/line-chart.hbs` draws. */
export interface LineChartView {
  width: number;
  height: number;
  title: string;
  /** The text alternative: each series' figures, in words. */
  description: string;
  plot: { left: number; top: number; right: number; bottom: number };
  /** Where the axis labels and tick marks go. */
  axis: { yLabelX: number; xLabelY: number; tickEnd: number };
  xTicks: Tick[];
  yTicks: Tick[];
  series: LineChartSeriesView[];
  empty: boolean;
}

const SERIES_CLASSES = 6;
const MARGIN = { left: 56, right: 12, top: 10, bottom: 26 };

/**
 * A line chart over time with a value axis from zero, a UTC time axis and one line per series (the
 * monitor page's latency per source). Gaps in a series stay gaps. Every figure the lines show is also in
 * the description, for people who cannot see the chart.
 */
export function lineChart(series: readonly ChartSeries[], options: LineChartOptions): LineChartView {
  const width = options.width ?? 960;
  const height = options.height ?? 240;
  const unit = options.unit ?? '';
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
  const values = series.flatMap((one) => one.points.flatMap((point) => (point.v !== null && Number.isFinite(point.v) ? [point.v] : [])));
  const top = options.max ?? niceMax(values.length > 0 ? Math.max(...values) : 0);
  const span = Math.max(1, options.to - options.from);
  const x = (t: number) => plot.left + ((Math.min(Math.max(t, options.from), options.to) - options.from) / span) * (plot.right - plot.left);
  const y = (v: number) => plot.bottom - (v / top) * (plot.bottom - plot.top);
  const views = series.map((one, index): LineChartSeriesView => {
    const own = one.points.flatMap((point) => (point.v !== null && Number.isFinite(point.v) ? [point.v] : []));
    const summary =
      own.length === 0
        ? 'no data'
        : `min ${formatValue(Math.min(...own), unit)}, average ${formatValue(own.reduce((a, b) => a + b, 0) / own.length, unit)}, max ${formatValue(Math.max(...own), unit)}`;
    return {
      name: one.name,
      className: `chart-series-${index % SERIES_CLASSES}`,
      path: linePath(one.points, x, y),
      summary,
      empty: own.length === 0,
    };
  });
  const description = views.length === 0 ? 'No data in this period.' : views.map((view) => `${view.name}: ${view.summary}.`).join(' ');
  return {
    width,
    height,
    title: options.title,
    description,
    plot,
    axis: { yLabelX: plot.left - 8, xLabelY: plot.bottom + 17, tickEnd: plot.bottom + 4 },
    xTicks: timeTicks(options.from, options.to, Math.max(2, Math.floor((plot.right - plot.left) / 90)), x).map(round),
    yTicks: valueTicks(top, 4, y, unit).map(round),
    series: views,
    empty: values.length === 0,
  };
}

function round(tick: Tick): Tick {
  return { at: Number(svgNumber(tick.at)), label: tick.label };
}
