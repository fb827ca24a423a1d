import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { MemoryCollector } from './memory.collector.js';

const context = () => createPluginContext({ timeoutMs: 10_000, logger: { debug() {}, info() {}, warn() {} } });

/** /proc/meminfo in bytes. */
function meminfo(): Record<string, number> {
  const values: Record<string, number> = {};
  for (const line of readFileSync('/proc/meminfo', 'utf8').split('\n')) {
    const match = /^(\w+):\s+(\d+) kB/.exec(line);
    if (match) values[match[1]!] = Number(match[2]) * 1024;
  }
  return values;
}

describe('memory collector (this machine)', () => {
  it('reports total, used (total − available) and percent of memory and swap as /proc/meminfo has them', async () => {
    const samples = Object.fromEntries((await new MemoryCollector().collect({}, context())).map((sample) => [sample.metric, sample.value]));
    const proc = meminfo();
    assert.equal(samples['memory.total'], proc.MemTotal);
    assert.equal(samples['swap.total'], proc.SwapTotal);
    // Memory moves between the two reads; other processes on the machine allocate and free.
    const expectedUsed = proc.MemTotal! - proc.MemAvailable!;
    assert.ok(
      Math.abs(samples['memory.used']! - expectedUsed) < 0.05 * proc.MemTotal!,
      `used ${samples['memory.used']} vs ${expectedUsed}`,
    );
    assert.ok(samples['memory.used']! > 0 && samples['memory.used']! <= samples['memory.total']!);
    assert.equal(samples['memory.percent'], Math.round((10_000 * samples['memory.used']!) / samples['memory.total']!) / 100);
    assert.ok(samples['memory.percent']! > 0 && samples['memory.percent']! < 100);
    const swapUsed = proc.SwapTotal! - proc.SwapFree!;
    assert.ok(Math.abs(samples['swap.used']! - swapUsed) <= 0.05 * proc.SwapTotal!, `swap used ${samples['swap.used']} vs ${swapUsed}`);
    assert.equal(samples['swap.percent'], proc.SwapTotal ? Math.round((10_000 * samples['swap.used']!) / proc.SwapTotal) / 100 : 0);
  });
});
