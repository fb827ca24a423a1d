import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMetricsReport } from './metrics-report.js';

const base = { hostname: 'fallback', collectedAt: Date.UTC(2026, 11, 1, 12, 0, 0), interval: 30 };

describe('metrics report from collector samples', () => {
  it('puts every sample of the shipped collectors at its place in the SPEC §5 body', () => {
    const { report, leftOut } = buildMetricsReport(
      [
        { metric: 'cpu.percent', value: 12.5 },
        { metric: 'cpu.cores', value: 4 },
        { metric: 'cpu.load1', value: 0.5 },
        { metric: 'cpu.load5', value: 0.4 },
        { metric: 'cpu.load15', value: 0.3 },
        { metric: 'memory.total', value: 8e9 },
        { metric: 'memory.used', value: 2e9 },
        { metric: 'memory.percent', value: 25 },
        { metric: 'swap.total', value: 0 },
        { metric: 'swap.used', value: 0 },
        { metric: 'swap.percent', value: 0 },
        { metric: 'uptime_s', value: 3600 },
        { metric: 'host.info', value: 1, labels: { hostname: 'web1', os: 'Debian GNU/Linux 12 (bookworm), kernel 6.1.0 x64' } },
        { metric: 'disks.size', value: 100, labels: { mount: '/', fs: 'ext4' } },
        { metric: 'disks.used', value: 40, labels: { mount: '/', fs: 'ext4' } },
        { metric: 'disks.percent', value: 40, labels: { mount: '/', fs: 'ext4' } },
        { metric: 'disks.size', value: 10, labels: { mount: '/var', fs: 'xfs' } },
        { metric: 'disks.used', value: 9.3, labels: { mount: '/var', fs: 'xfs' } },
        { metric: 'disks.percent', value: 93, labels: { mount: '/var', fs: 'xfs' } },
        { metric: 'net.rx_bps', value: 8000, labels: { iface: 'eth0' } },
        { metric: 'net.tx_bps', value: 4000, labels: { iface: 'eth0' } },
      ],
      base,
    );
    assert.deepEqual(leftOut, []);
    assert.deepEqual(report, {
      hostname: 'web1',
      os: 'Debian GNU/Linux 12 (bookworm), kernel 6.1.0 x64',
      uptime_s: 3600,
      cpu: { percent: 12.5, cores: 4, load1: 0.5, load5: 0.4, load15: 0.3 },
      memory: { total: 8e9, used: 2e9, percent: 25 },
      swap: { total: 0, used: 0, percent: 0 },
      disks: [
        { mount: '/', fs: 'ext4', size: 100, used: 40, percent: 40 },
        { mount: '/var', fs: 'xfs', size: 10, used: 9.3, percent: 93 },
      ],
      net: [{ iface: 'eth0', rx_bps: 8000, tx_bps: 4000 }],
      collected_at: '2026-12-01T12:00:00.000Z',
      interval: 30,
    });
  });

  it('sends what the collectors that ran gave, with the host name from the agent when no info sample names it', () => {
    const { report } = buildMetricsReport([{ metric: 'cpu.percent', value: 50 }], base);
    assert.deepEqual(report, { hostname: 'fallback', cpu: { percent: 50 }, collected_at: '2026-12-01T12:00:00.000Z', interval: 30 });
  });

  it('sends the samples of other collectors (a drop-in) as extra figures, with their labels', () => {
    const { report, leftOut } = buildMetricsReport(
      [
        { metric: 'processes.total', value: 212 },
        { metric: 'processes.named', value: 4, labels: { name: 'nginx' } },
        { metric: 'cpu.temperature', value: 61 },
      ],
      base,
    );
    assert.deepEqual(leftOut, []);
    assert.deepEqual(report.extra, [
      { metric: 'processes.total', value: 212 },
      { metric: 'processes.named', value: 4, labels: { name: 'nginx' } },
      { metric: 'cpu.temperature', value: 61 },
    ]);
  });

  it('leaves out, and names, what cannot be sent: not a number, incomplete rows, names the server refuses', () => {
    const { report, leftOut } = buildMetricsReport(
      [
        { metric: 'cpu.percent', value: Number.NaN },
        { metric: 'disks.percent', value: 50, labels: { mount: '/data', fs: 'ext4' } },
        { metric: 'net.rx_bps', value: 1 },
        { metric: 'GPU Temperature', value: 70 },
        { metric: 'gpu.temp', value: 70, labels: { 'Card Name': 'x' } },
        { metric: 'gpu.fan', value: 70, labels: { a: 'x'.repeat(100), b: 'x'.repeat(100), c: 'x'.repeat(50) } },
      ],
      base,
    );
    assert.deepEqual(leftOut.sort(), [
      'GPU Temperature (metric must be a lowercase dotted name of at most 32 characters)',
      'cpu.percent (not a number)',
      'disks row /data (incomplete)',
      'gpu.fan (labels must be at most 255 characters together (as name=value,…))',
      'gpu.temp (label "Card Name" must be a lowercase name)',
      'net.rx_bps (no iface label)',
    ]);
    assert.deepEqual(report.disks, []);
    assert.equal(report.cpu, undefined);
    assert.equal(report.extra, undefined);
  });
});
