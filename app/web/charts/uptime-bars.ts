import { svgNumber } from './chart-scale.js';

const DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Time a monitor spent in each state on one UTC day (from the hour buckets). */
export interface DayTotals {
  /** Start of the UTC day, epoch ms. */
  day: number;
  upMs: number;
  warningMs: number;
  downMs: number;
  maintenanceMs: number;
}

export type BarTone = 'ok' | 'warn' | 'bad' | 'maint' | 'none';

export interface UptimeBar {
  x: string;
  width: string;
  /** `uptime-ok` …: the colour; the title says the same in words. */
  className: string;
  tone: BarTone;
  /** `Nov 28: 99.95 % up (43 s down)`, `Nov 29: maintenance all day`, `Nov 30: no data`. */
  title: string;
  /** Part of the day spent in maintenance, drawn as a mark on top of the bar (0 when none). */
  maintenanceHeight: string;
}

export interface UptimeBarsView {
  width: number;
  height: number;
  barHeight: number;
  bars: UptimeBar[];
  /** `90-day uptime 99.82 %: 86 days fully up, 3 with downtime, 1 without data`. */
  summary: string;
  firstLabel: string;
  lastLabel: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const dayLabel = (day: number) => {
  const d = new Date(day);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
};

function durationWords(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.round((ms % 3_600_000) / 60_000);
  return minutes ? `${hours} h ${pad(minutes)} min` : `${hours} h`;
}

/** 99.95 → "99.95", 100 → "100", 12.3456 → "12.35". */
function percentText(value: number): string {
  return String(Math.floor(value * 100) / 100);
}

/**
 * One bar per UTC day for the last `days` days, oldest first, today last: green when the monitor was up
 * all the time it was checked, amber with some downtime (at least 99 % up), red below that, blue for a
 * day spent only in maintenance and grey without data. Maintenance on a day with checks is a mark on top.
 * Each bar's title says the day and its figures in words; warning time counts as up, as in the uptime figures.
 */
export function uptimeBars(totals: readonly DayTotals[], options: { now: number; days?: number }): UptimeBarsView {
  const days = options.days ?? 90;
  const barWidth = 6;
  const gap = 2;
  const height = 34;
  const today = Math.floor(options.now / DAY) * DAY;
  const byDay = new Map(totals.map((total) => [total.day, total]));
  let up = 0;
  let counted = 0;
  let fullyUp = 0;
  let withDowntime = 0;
  let noData = 0;
  const bars: UptimeBar[] = [];
  for (let index = 0; index < days; index++) {
    const day = today - (days - 1 - index) * DAY;
    const total = byDay.get(day);
    const dayUp = total ? total.upMs + total.warningMs : 0;
    const dayCounted = total ? dayUp + total.downMs : 0;
    const maintenance = total?.maintenanceMs ?? 0;
    let tone: BarTone;
    let title: string;
    if (dayCounted === 0) {
      tone = maintenance > 0 ? 'maint' : 'none';
      title = maintenance > 0 ? `${dayLabel(day)}: maintenance (${durationWords(maintenance)}), not counted` : `${dayLabel(day)}: no data`;
      if (maintenance === 0) noData++;
    } else {
      const percent = (dayUp / dayCounted) * 100;
      const down = total!.downMs;
      tone = down === 0 ? 'ok' : percent >= 99 ? 'warn' : 'bad';
      title = `${dayLabel(day)}: ${percentText(percent)} % up${down > 0 ? ` (${durationWords(down)} down)` : ''}`;
      if (maintenance > 0) title += `, maintenance ${durationWords(maintenance)}`;
      up += dayUp;
      counted += dayCounted;
      if (down === 0) fullyUp++;
      else withDowntime++;
    }
    const maintenanceShare = dayCounted > 0 && maintenance > 0 ? Math.max(0.15, Math.min(1, maintenance / (maintenance + dayCounted))) : 0;
    bars.push({
      x: svgNumber(index * (barWidth + gap)),
      width: String(barWidth),
      className: `uptime-${tone}`,
      tone,
      title,
      maintenanceHeight: svgNumber(maintenanceShare * height),
    });
  }
  const overall = counted > 0 ? `${days}-day uptime ${percentText((up / counted) * 100)} %` : `No uptime data in the last ${days} days`;
  const parts = [`${fullyUp} ${fullyUp === 1 ? 'day' : 'days'} fully up`, `${withDowntime} with downtime`];
  if (noData > 0) parts.push(`${noData} without data`);
  return {
    width: days * (barWidth + gap) - gap,
    height,
    barHeight: height,
    bars,
    summary: counted > 0 ? `${overall}: ${parts.join(', ')}.` : `${overall}.`,
    firstLabel: dayLabel(today - (days - 1) * DAY),
    lastLabel: 'today',
  };
}
