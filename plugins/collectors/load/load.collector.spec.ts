import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { LoadCollector } from './load.collector.js';

const context = () => createPluginContext({ timeoutMs: 10_000, logger: { debug() {}, info() {}, warn() {} } });

describe('load collector (this machine)', () => {
  it('reports the 1, 5 and 15 minute load averages of /proc/loadavg', async () => {
    const samples = await new LoadCollector().collect({}, context());
    const proc = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    assert.deepEqual(
      samples.map((sample) => sample.metric),
      ['cpu.load1', 'cpu.load5', 'cpu.load15'],
    );
    samples.forEach((sample, index) => {
      assert.ok(sample.value >= 0, `${sample.metric} ${sample.value}`);
      // /proc/loadavg moves every 5 s; the 15-minute figure barely at all.
      assert.ok(Math.abs(sample.value - proc[index]!) < 1.5, `${sample.metric} ${sample.value} vs /proc/loadavg ${proc[index]}`);
    });
  });
});
