import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PulseServer } from '../peers/pulse-server.js';
import { netcat } from '../support/netcat.js';
import { waitUntil } from '../support/wait.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('cleaning up heartbeat services (issue 8 item 7)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-cleanup-'));
  const config = '[[alarms]]\nname = "billing"\npattern = "billing.export"\n';
  let server: PulseServer;
  let admin: string;

  before(async () => {
    server = await PulseServer.start({ dataDir, config });
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const names = async () =>
    ((await server.request('GET', '/api/services', { token: admin })).json.services as { name: string }[]).map((s) => s.name);
  const beat = (lines: string[]) => netcat(['-4u', '-w0', '127.0.0.1', String(server.udpPort)], lines.map((line) => `${line}\n`).join(''));

  it('deletes every service a glob matches with DELETE /api/services?pattern=, and says which', async () => {
    await beat(['junk.a.beat:1|c', 'junk.b.beat:1|c', 'junk.x.y.beat:1|c', 'keep.junk.beat:1|c', 'keep.one.beat:1|c']);
    await waitUntil('five services', async () => (await names()).length === 5);

    const deleted = await server.request('DELETE', '/api/services?pattern=junk.*', { token: admin });
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual(deleted.json, { deleted: 3, services: ['junk.a', 'junk.b', 'junk.x.y'] });
    assert.deepEqual((await names()).sort(), ['keep.junk', 'keep.one']);

    const none = await server.request('DELETE', '/api/services?pattern=nothing.*.here', { token: admin });
    assert.deepEqual(none.json, { deleted: 0, services: [] });
  });

  it('refuses a missing, empty or repeated pattern and unknown parameters, naming the field, and needs an admin token', async () => {
    for (const query of ['', '?pattern=', '?pattern=a&pattern=b', '?pattern=keep.*&dry_run=1']) {
      const response = await server.request('DELETE', `/api/services${query}`, { token: admin });
      assert.equal(response.status, 400, query);
      assert.equal(response.json.error, 'validation_failed', query);
      assert.match(response.json.message, query.includes('dry_run') ? /^dry_run: unknown field/ : /^pattern: must be a glob/, query);
    }
    assert.equal((await server.request('DELETE', '/api/services?pattern=*')).status, 401);
    assert.equal((await names()).length, 2, 'nothing was deleted');
  });

  it('forgets services one beat created and nobody configured once they are silent for forget_unseen_days (7), at start', async () => {
    await beat(['stray.one.beat:1|c', 'billing.export.beat:1|c', 'timed.job.timeout:3600|g', 'timed.job.beat:1|c']);
    await waitUntil('the new services', async () => (await names()).length === 5);
    await server.stop();

    // Eight days pass: move every stored time back instead of waiting.
    const database = new Database(path.join(dataDir, 'pulse.db'));
    database
      .prepare(
        'UPDATE heartbeat_services SET last_beat = last_beat - ?, created_at = created_at - ?, last_state_change = last_state_change - ?, beats = ?',
      )
      .run(8 * DAY_MS, 8 * DAY_MS, 8 * DAY_MS, '[]');
    database.close();

    server = await PulseServer.start({ dataDir, config });
    assert.deepEqual((await names()).sort(), ['billing.export', 'timed.job'], 'named by an alarm, or with a timeout: kept');
    assert.match(
      server.process.stderr,
      /forgot 3 service\(s\) created by one beat and silent for 7 day\(s\) \(\[heartbeat\] forget_unseen_days\): keep\.junk, keep\.one, stray\.one/,
    );
    const metrics = await server.request('GET', '/metrics', { token: admin });
    assert.match(metrics.text, /^pulse_heartbeat_services_forgotten_total 3$/m);
  });
});
