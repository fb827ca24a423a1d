import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, it } from 'node:test';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { UptimeCollector } from './uptime.collector.js';

const context = () => createPluginContext({ timeoutMs: 10_000, logger: { debug() {}, info() {}, warn() {} } });

describe('uptime collector (this machine)', () => {
  it('reports the seconds since boot of /proc/uptime, the host name and the operating system', async () => {
    const samples = await new UptimeCollector().collect({}, context());
    const uptime = samples.find((sample) => sample.metric === 'uptime_s')!;
    const procUptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    assert.ok(Number.isInteger(uptime.value) && Math.abs(uptime.value - procUptime) <= 2, `${uptime.value} vs /proc/uptime ${procUptime}`);

    const info = samples.find((sample) => sample.metric === 'host.info')!;
    assert.equal(info.value, 1);
    assert.equal(info.labels?.hostname, os.hostname());
    const release = readFileSync('/etc/os-release', 'utf8');
    const name = /^NAME="?([^"\n]+)"?$/m.exec(release)?.[1];
    assert.ok(name && info.labels?.os?.startsWith(name), `os "${info.labels?.os}" names ${name}`);
    assert.ok(info.labels?.os?.includes(`kernel ${os.release()}`), info.labels?.os);
  });
});
