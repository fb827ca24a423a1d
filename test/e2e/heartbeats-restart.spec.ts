import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { netcat } from '../support/netcat.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';

const needsNc = { skip: skipUnlessInstalled('nc') };

/** Generously more than the 100 ms save window, so a loaded CI machine has written the batch too. */
const AFTER_ONE_WINDOW_MS = 1000;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('heartbeat state across restarts and crashes (README: what a crash can lose)', () => {
  it('keeps acknowledged beats through kill -9 once a save window has passed, and errors what expired meanwhile', needsNc, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-crash-'));
    try {
      const config = '[[alarms]]\nname = "crashy"\npattern = "crash.*"\n';
      const first = await PulseServer.start({ dataDir, config });
      const admin = first.adminToken!;
      for (let beat = 0; beat < 3; beat++) assert.equal((await first.request('POST', '/api/services/crash.http?timeout=3600')).status, 200);
      assert.equal((await first.request('POST', '/api/services/crash.short?timeout=1')).status, 200);
      await netcat(['-N', '127.0.0.1', String(first.tcpPort)], 'crash.tcp.timeout:3600|g\ncrash.tcp.beat:1|c\n');
      const before = (await first.request('GET', '/api/services/crash.http', { token: admin })).json.service;
      assert.equal((await first.request('GET', '/api/services/crash.tcp', { token: admin })).json.service.state, 'ok');
      await wait(AFTER_ONE_WINDOW_MS);
      await first.process.kill();
      assert.equal(first.process.signal, 'SIGKILL');

      await wait(1200); // crash.short's 1 s deadline passes while the server is down
      const second = await PulseServer.start({ dataDir, config });
      try {
        const after = (await second.request('GET', '/api/services/crash.http', { token: admin })).json.service;
        assert.equal(after.last_beat, before.last_beat, 'the last acknowledged beat survived the crash');
        assert.equal(after.timeout, 3_600_000);
        assert.equal(after.state, 'ok');
        assert.equal((await second.request('GET', '/api/services/crash.tcp', { token: admin })).json.service.state, 'ok');
        assert.equal(
          (await second.request('GET', '/api/services/crash.short', { token: admin })).json.service.state,
          'error',
          'expired while down',
        );
        const alarm = (await second.request('GET', '/api/alarms/crashy', { token: admin })).json.alarm;
        assert.deepEqual([alarm.state, alarm.incident_nbr, alarm.failed_services], ['error', 1, 1]);
        assert.equal(second.adminToken, null);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('saves everything on a normal stop (SIGTERM), even a beat acknowledged just before', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-stop-'));
    try {
      const first = await PulseServer.start({ dataDir });
      const admin = first.adminToken!;
      await first.request('POST', '/api/services/last.word', { json: { timeout: 600, min_interval: 5 } });
      await first.stop();
      const second = await PulseServer.start({ dataDir });
      try {
        const service = (await second.request('GET', '/api/services/last.word', { token: admin })).json.service;
        assert.deepEqual([service.timeout, service.min_interval, service.state], [600_000, 5000, 'ok']);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
