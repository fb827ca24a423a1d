import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { CpuCollector } from './cpu.collector.js';

const logger = { debug() {}, info() {}, warn() {} };
const context = (timeoutMs = 10_000) => createPluginContext({ timeoutMs, logger });

/** Busy and total jiffies of all CPUs, as the kernel counts them (the fields Node's os.cpus() reads). */
function procStat(): { busy: number; total: number; cores: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const [user, nice, system, idle, , irq] = lines[0]!.split(/\s+/).slice(1).map(Number) as number[];
  return {
    busy: user! + nice! + system! + irq!,
    total: user! + nice! + system! + idle! + irq!,
    cores: lines.filter((line) => /^cpu\d+ /.test(line)).length,
  };
}

describe('cpu collector (this machine)', () => {
  it('reports the busy percent since the previous collection and the number of cores, as /proc/stat counts them', async () => {
    const collector = new CpuCollector();
    const first = await collector.collect({}, context());
    assert.deepEqual(
      first.map((sample) => sample.metric),
      ['cpu.percent', 'cpu.cores'],
    );
    const before = procStat();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const samples = await collector.collect({}, context());
    const after = procStat();
    const percent = samples.find((sample) => sample.metric === 'cpu.percent')!.value;
    const cores = samples.find((sample) => sample.metric === 'cpu.cores')!.value;
    assert.equal(cores, after.cores);
    assert.ok(percent >= 0 && percent <= 100, `percent ${percent}`);
    // The same two-second window measured from /proc/stat: the figures agree within what a busy machine moves in between.
    const expected = (100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total);
    assert.ok(Math.abs(percent - expected) < 25, `collector ${percent} %, /proc/stat ${expected.toFixed(1)} %`);
  });

  it('gives up its first one-second window when aborted', async () => {
    const collector = new CpuCollector();
    await assert.rejects(collector.collect({}, context(100)));
  });
});
