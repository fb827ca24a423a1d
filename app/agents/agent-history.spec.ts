import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketDeltas, mergeMetricDeltas, seriesOf } from './agent-history.js';

describe('agent metric history', () => {
  it('keeps a history of the moving figures, disks per mount, network cards per interface, extra figures per labels', () => {
    const values = seriesOf({
      hostname: 'web1',
      collected_at: '2026-12-01T12:00:00Z',
      uptime_s: 100,
      cpu: { percent: 12, cores: 4, load1: 0.5 },
      memory: { total: 100, used: 40, percent: 40 },
      disks: [{ mount: '/var', fs: 'ext4', size: 100, used: 93, percent: 93 }],
      net: [{ iface: 'eth0', rx_bps: 800, tx_bps: 400 }],
      extra: [
        { metric: 'processes.total', value: 212 },
        { metric: 'processes.named', value: 4, labels: { user: 'www', name: 'nginx' } },
      ],
    });
    assert.deepEqual(
      values.map((value) => `${value.metric}${value.series ? `{${value.series}}` : ''}=${value.value}`),
      [
        'cpu.percent=12',
        'cpu.load1=0.5',
        'memory.percent=40',
        'memory.used=40',
        'disks.percent{/var}=93',
        'disks.used{/var}=93',
        'net.rx_bps{eth0}=800',
        'net.tx_bps{eth0}=400',
        'processes.total=212',
        'processes.named{name=nginx,user=www}=4',
      ],
    );
  });

  it('adds each report to its minute and hour bucket; a batch writes each bucket row once with the sum and the max', () => {
    const at = Date.UTC(2026, 11, 1, 12, 34, 10);
    const deltas = mergeMetricDeltas([
      ...bucketDeltas(7, at, [{ metric: 'cpu.percent', series: '', value: 20 }]),
      ...bucketDeltas(7, at + 30_000, [{ metric: 'cpu.percent', series: '', value: 60 }]),
      ...bucketDeltas(7, at + 60_000, [{ metric: 'cpu.percent', series: '', value: 10 }]),
    ]);
    const row = (period: string, start: number) => deltas.find((delta) => delta.period === period && delta.bucketStart === start);
    assert.deepEqual(
      { ...row('minute', Date.UTC(2026, 11, 1, 12, 34)) },
      {
        agentId: 7,
        period: 'minute',
        bucketStart: Date.UTC(2026, 11, 1, 12, 34),
        metric: 'cpu.percent',
        series: '',
        samples: 2,
        sum: 80,
        max: 60,
      },
    );
    assert.equal(row('minute', Date.UTC(2026, 11, 1, 12, 35))?.samples, 1);
    assert.deepEqual([row('hour', Date.UTC(2026, 11, 1, 12))?.samples, row('hour', Date.UTC(2026, 11, 1, 12))?.max], [3, 60]);
    assert.equal(deltas.length, 3);
  });
});
