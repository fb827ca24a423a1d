import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_THRESHOLDS, effectiveThresholds, judgeAgent, NO_CPU_WATCH, watchCpu, type AgentFacts } from './agent-state.js';

const MINUTE = 60_000;
const now = 10 * 60 * MINUTE;

function facts(overrides: Partial<AgentFacts> = {}): AgentFacts {
  return {
    report: { cpu: { percent: 10 }, memory: { percent: 40 }, disks: [{ mount: '/', fs: 'ext4', size: 100, used: 40, percent: 40 }] },
    reportAt: now,
    cpu: NO_CPU_WATCH,
    lastSeenAt: now,
    intervalS: 30,
    thresholds: { ...DEFAULT_THRESHOLDS },
    inMaintenance: false,
    ...overrides,
  };
}

/** The CPU watch after reports every 30 s of these percents, the last one at `now`. */
function cpuHistory(percents: number[]) {
  let watch = NO_CPU_WATCH;
  percents.forEach((percent, index) => {
    watch = watchCpu(watch, percent, now - (percents.length - 1 - index) * 30_000, 90, 90_000);
  });
  return watch;
}

describe('agent state', () => {
  it('is ok while it reports within its thresholds', () => {
    assert.deepEqual(judgeAgent(facts(), now), { state: 'ok', reason: '' });
  });

  it('is warning when a disk is over 90 %, naming the mount, fullest first', () => {
    const disks = [
      { mount: '/', fs: 'ext4', size: 100, used: 40, percent: 40 },
      { mount: '/data', fs: 'xfs', size: 100, used: 91, percent: 91.2 },
      { mount: '/var', fs: 'ext4', size: 100, used: 93, percent: 93.4 },
    ];
    assert.deepEqual(judgeAgent(facts({ report: { disks } }), now), {
      state: 'warning',
      reason: 'disk /var 93 % > 90 %; disk /data 91 % > 90 %',
    });
  });

  it('shows a decimal when the whole number would hide that it is over', () => {
    const report = { memory: { percent: 90.4 } };
    assert.deepEqual(judgeAgent(facts({ report }), now), { state: 'warning', reason: 'memory 90.4 % > 90 %' });
  });

  it('warns about CPU only after 5 minutes above 90 %, and is ok as soon as it drops', () => {
    const high = (count: number) => Array.from({ length: count }, () => 97);
    const report = { cpu: { percent: 97 } };
    assert.equal(judgeAgent(facts({ report, cpu: cpuHistory([10, ...high(10)]) }), now).state, 'ok', '4.5 minutes high');
    assert.deepEqual(judgeAgent(facts({ report, cpu: cpuHistory([10, ...high(11)]) }), now), {
      state: 'warning',
      reason: 'cpu 97 % > 90 % for 5 min',
    });
    const dropped = cpuHistory([...high(20), 50]);
    assert.deepEqual(judgeAgent(facts({ report: { cpu: { percent: 50 } }, cpu: dropped }), now), { state: 'ok', reason: '' });
  });

  it('starts counting CPU again after a silence, and ignores a late report older than the newest', () => {
    let watch = watchCpu(NO_CPU_WATCH, 97, 0, 90, 90_000);
    watch = watchCpu(watch, 97, 10 * MINUTE, 90, 90_000);
    assert.equal(watch.highSince, 10 * MINUTE);
    assert.equal(watchCpu(watch, 10, 5 * MINUTE, 90, 90_000), watch);
  });

  it('is down after 3 intervals without a report, whatever the last figures said', () => {
    const report = { disks: [{ mount: '/var', fs: 'ext4', size: 100, used: 95, percent: 95 }] };
    assert.equal(judgeAgent(facts({ report, lastSeenAt: now - 89_999 }), now).state, 'warning');
    assert.deepEqual(judgeAgent(facts({ report, lastSeenAt: now - 95_000 }), now), {
      state: 'down',
      reason: 'no report for 95 s (3 intervals of 30 s)',
    });
    assert.equal(judgeAgent(facts({ intervalS: 60, lastSeenAt: now - 95_000 }), now).state, 'ok', 'its own interval counts');
  });

  it('is in maintenance inside a window, down or not', () => {
    assert.deepEqual(judgeAgent(facts({ inMaintenance: true, lastSeenAt: 0 }), now), {
      state: 'maintenance',
      reason: 'in a maintenance window',
    });
  });

  it('applies per-agent overrides on top of the defaults', () => {
    const thresholds = effectiveThresholds({ disk_percent: 95, down_after_intervals: 5 });
    assert.deepEqual(thresholds, { ...DEFAULT_THRESHOLDS, disk_percent: 95, down_after_intervals: 5 });
    const report = { disks: [{ mount: '/var', fs: 'ext4', size: 100, used: 93, percent: 93 }] };
    assert.equal(judgeAgent(facts({ report, thresholds }), now).state, 'ok');
    assert.equal(judgeAgent(facts({ thresholds, lastSeenAt: now - 120_000 }), now).state, 'ok');
  });
});
