import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatRate, formatSkew, seriesPoints, thresholdsFormView } from './agent-page.view.js';

describe('agent page view', () => {
  it('writes sizes, rates and clock skew the way an operator reads them', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(512_000), '512 KB');
    assert.equal(formatBytes(6.24e9), '6.2 GB');
    assert.equal(formatBytes(1.9e12), '1.9 TB');
    assert.equal(formatBytes(null), '—');
    assert.equal(formatRate(125_000), '1 Mbit/s', 'bytes per second as bits, as links are rated');
    assert.equal(formatRate(100), '800 bit/s');
    assert.equal(formatSkew(400), 'in step');
    assert.equal(formatSkew(-7_200_000), '2 h behind');
    assert.equal(formatSkew(3100), '3.1 s ahead');
    assert.equal(formatSkew(null), '—');
  });

  it('leaves a gap in a chart series where minute buckets are missing (the agent was silent)', () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 12, minute)).toISOString();
    const points = seriesPoints(
      {
        metric: 'cpu.percent',
        series: '',
        points: [0, 1, 2, 10, 11].map((minute) => ({ at: at(minute), avg: minute, max: minute, samples: 2 })),
      },
      'minute',
    );
    assert.deepEqual(
      points.map((point) => point.v),
      [0, 1, 2, null, 10, 11],
    );
    assert.deepEqual(seriesPoints(undefined, 'hour'), []);
  });

  it('shows overrides as values and defaults as placeholders, and keeps what was typed when refused', () => {
    const thresholds = [
      { key: 'cpu_percent' as const, value: 90, default: 90, overridden: false },
      { key: 'disk_percent' as const, value: 60, default: 90, overridden: true },
    ];
    const stored = thresholdsFormView(7, thresholds, null, {});
    assert.deepEqual(
      stored.fields.map((field) => [field.key, field.value, field.default]),
      [
        ['cpu_percent', '', 90],
        ['disk_percent', '60', 90],
      ],
    );
    assert.equal(stored.overrides, 1);
    const refused = thresholdsFormView(
      7,
      thresholds,
      { cpu_percent: 'lots', disk_percent: '' },
      { cpu_percent: 'Must be a percent, 1 to 100.' },
    );
    assert.equal(refused.hasErrors, true);
    assert.deepEqual(
      refused.fields.map((field) => [field.value, field.error]),
      [
        ['lots', 'Must be a percent, 1 to 100.'],
        ['', null],
      ],
    );
  });
});
