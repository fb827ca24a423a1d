import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linePath, niceMax, niceStep, timeTicks, valueTicks } from './chart-scale.js';
import { lineChart } from './line-chart.js';
import { sparkline } from './sparkline.js';
import { usageBar } from './usage-bar.js';
import { uptimeBars, type DayTotals } from './uptime-bars.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 30, 12, 0, 0); // 2026-11-30 12:00 UTC

describe('chart scales', () => {
  it('picks round steps and a round top for a zero-based axis', () => {
    assert.equal(niceStep(100, 4), 25);
    assert.equal(niceStep(47, 4), 20);
    assert.equal(niceMax(47), 60);
    assert.equal(niceMax(0), 1, 'an all-zero series still gets an axis');
    assert.deepEqual(
      valueTicks(60, 4, (v) => 100 - v, 'ms').map((tick) => [tick.at, tick.label]),
      [
        [100, '0 ms'],
        [80, '20 ms'],
        [60, '40 ms'],
        [40, '60 ms'],
      ],
    );
    assert.equal(valueTicks(3000, 3, (v) => v, 'ms')[1]!.label, '1 s', 'latencies of a second and more read in seconds');
  });

  it('labels time ticks in UTC: hours within a day, dates across weeks', () => {
    const hours = timeTicks(T0 - DAY, T0, 8, (t) => t);
    assert.equal(hours[0]!.label, '12:00');
    assert.ok(hours.every((tick) => /^\d\d:\d\d$/.test(tick.label) || /^[A-Z][a-z]{2} \d+$/.test(tick.label)));
    assert.ok(hours.length <= 9 && hours.length >= 4);
    const days = timeTicks(T0 - 30 * DAY, T0, 8, (t) => t);
    assert.ok(
      days.every((tick) => /^[A-Z][a-z]{2} \d+$/.test(tick.label)),
      days.map((tick) => tick.label).join(),
    );
  });

  it('breaks a line at missing values, and keeps a lone point visible', () => {
    const path = linePath(
      [
        { t: 0, v: 1 },
        { t: 1, v: 2 },
        { t: 2, v: null },
        { t: 3, v: 4 },
      ],
      (t) => t * 10,
      (v) => v,
    );
    assert.equal(path, 'M0 1 L10 2 M30 4 h2');
  });
});

describe('sparkline', () => {
  it('scales from zero and says the range and the latest value in words', () => {
    const view = sparkline(
      [
        { t: T0 - HOUR, v: 12 },
        { t: T0 - HOUR / 2, v: 48 },
        { t: T0, v: 20 },
      ],
      { from: T0 - HOUR, to: T0, unit: 'ms', subject: 'Latency, last hour' },
    );
    assert.equal(view.label, 'Latency, last hour: 12 ms to 48 ms, latest 20 ms');
    assert.equal(view.empty, false);
    assert.match(view.path, /^M2 \S+ L60 \S+ L118 \S+$/);
    assert.deepEqual(view.last, { x: '118', y: view.path.split(' ').pop() });
  });

  it('says "no data" rather than drawing a flat line', () => {
    const view = sparkline([{ t: T0, v: null }], { from: T0 - HOUR, to: T0, subject: 'Latency' });
    assert.equal(view.empty, true);
    assert.equal(view.path, '');
    assert.equal(view.label, 'Latency: no data');
  });
});

describe('line chart', () => {
  it('draws one line per source with axes, and describes every source in words', () => {
    const view = lineChart(
      [
        {
          name: 'Public',
          points: [
            { t: T0 - DAY, v: 10 },
            { t: T0, v: 30 },
          ],
        },
        { name: 'Hamburg', points: [{ t: T0 - DAY, v: null }] },
      ],
      { from: T0 - DAY, to: T0, title: 'Latency, last 24 hours', unit: 'ms', width: 720, height: 220 },
    );
    assert.deepEqual(
      view.series.map((series) => [series.name, series.className, series.empty]),
      [
        ['Public', 'chart-series-0', false],
        ['Hamburg', 'chart-series-1', true],
      ],
    );
    assert.equal(view.description, 'Public: min 10 ms, average 20 ms, max 30 ms. Hamburg: no data.');
    assert.equal(view.yTicks[0]!.label, '0 ms');
    assert.equal(view.yTicks[view.yTicks.length - 1]!.label, '30 ms');
    assert.equal(
      view.series[0]!.path,
      `M${view.plot.left} 132.67 L${view.plot.right} ${view.plot.top}`,
      '10 ms a third of the way up a 0–30 ms axis',
    );
    assert.ok(view.xTicks.length >= 3);
    assert.ok(view.xTicks.every((tick) => tick.at >= view.plot.left && tick.at <= view.plot.right));
  });

  it('is empty, and says so, without values', () => {
    const view = lineChart([], { from: T0 - DAY, to: T0, title: 'Latency' });
    assert.equal(view.empty, true);
    assert.equal(view.description, 'No data in this period.');
  });
});

describe('uptime bars', () => {
  const today = Math.floor(T0 / DAY) * DAY;
  const day = (daysAgo: number, totals: Partial<DayTotals>): DayTotals => ({
    day: today - daysAgo * DAY,
    upMs: 0,
    warningMs: 0,
    downMs: 0,
    maintenanceMs: 0,
    ...totals,
  });

  it('has one bar per day, today last, coloured and titled with its figures', () => {
    const view = uptimeBars(
      [
        day(0, { upMs: 12 * HOUR }),
        day(1, { upMs: DAY - 43_000, downMs: 43_000 }),
        day(2, { upMs: 12 * HOUR, downMs: 12 * HOUR }),
        day(3, { maintenanceMs: DAY }),
        day(4, { upMs: 22 * HOUR, warningMs: HOUR, maintenanceMs: HOUR }),
      ],
      { now: T0 },
    );
    assert.equal(view.bars.length, 90);
    const [d4, d3, d2, d1, d0] = view.bars.slice(-5);
    assert.deepEqual([d0!.tone, d0!.title], ['ok', 'Nov 30: 100 % up']);
    assert.deepEqual([d1!.tone, d1!.title], ['warn', 'Nov 29: 99.95 % up (43 s down)']);
    assert.deepEqual([d2!.tone, d2!.title], ['bad', 'Nov 28: 50 % up (12 h down)']);
    assert.deepEqual([d3!.tone, d3!.title], ['maint', 'Nov 27: maintenance (24 h), not counted']);
    assert.deepEqual([d4!.tone, d4!.title], ['ok', 'Nov 26: 100 % up, maintenance 1 h'], 'warning time counts as up');
    assert.notEqual(d4!.maintenanceHeight, '0', 'maintenance on a checked day is marked');
    assert.equal(d0!.maintenanceHeight, '0');
    assert.equal(view.bars[0]!.tone, 'none');
    assert.equal(view.bars[0]!.title, 'Sep 2: no data');
    assert.equal(view.summary, '90-day uptime 85.52 %: 2 days fully up, 2 with downtime, 85 without data.');
  });

  it('says there is no data rather than 0 %', () => {
    assert.equal(uptimeBars([], { now: T0 }).summary, 'No uptime data in the last 90 days.');
  });
});

describe('usage bar', () => {
  it('colours a percentage against its threshold, marks the threshold and says it in words', () => {
    assert.deepEqual(usageBar('CPU', 42, 90), {
      width: '42',
      tone: 'ok',
      text: '42 %',
      label: 'CPU 42 %, warning above 90 %',
      mark: '90',
      empty: false,
    });
    assert.equal(usageBar('CPU', 85, 90).tone, 'warn', 'close below the threshold');
    assert.equal(usageBar('CPU', 90, 90).tone, 'warn', 'at the threshold is not over it');
    assert.equal(usageBar('Disk /var', 93.4, 90).tone, 'bad');
    assert.equal(usageBar('Disk /var', 93.4, 90).label, 'Disk /var 93 %, warning above 90 %');
  });

  it('keeps a tiny figure visible, clamps nonsense, and says when there is no figure', () => {
    assert.equal(usageBar('Memory', 0.2).width, '1');
    assert.equal(usageBar('Memory', 0.2).text, '0.2 %');
    assert.equal(usageBar('Memory', 0).width, '0');
    assert.equal(usageBar('Memory', 140).width, '100');
    assert.deepEqual(usageBar('Memory', null, 90), {
      width: '0',
      tone: 'idle',
      text: '—',
      label: 'Memory: no figure yet',
      mark: '90',
      empty: true,
    });
  });
});

describe('line chart with a fixed top', () => {
  it('draws percentages on a 0–100 axis whatever the data reach', () => {
    const chart = lineChart(
      [
        {
          name: 'CPU',
          points: [
            { t: T0 - HOUR, v: 10 },
            { t: T0, v: 20 },
          ],
        },
      ],
      { from: T0 - HOUR, to: T0, title: 'CPU', unit: '%', max: 100 },
    );
    assert.deepEqual(
      chart.yTicks.map((tick) => tick.label),
      ['0 %', '25 %', '50 %', '75 %', '100 %'],
    );
  });
});
