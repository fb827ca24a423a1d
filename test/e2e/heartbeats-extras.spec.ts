import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { monitorServiceName } from '../../app/notify/notify.service.js';
import { PulseServer } from '../peers/pulse-server.js';
import { S3Peer } from '../peers/s3.js';
import { eventually, netcat } from '../support/netcat.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';

const needsNc = { skip: skipUnlessInstalled('nc') };

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('around heartbeats: event log, statsd metrics, notify, S3 snapshots (SPEC §6)', () => {
  it('[eventlog] appends one JSON line per state change to a file created with the given mode', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-eventlog-'));
    const file = path.join(dir, 'log', 'events.json');
    const server = await PulseServer.start({
      config: `[eventlog]\npath = "${file}"\nmode = 640\n[[alarms]]\nname = "jobs"\npattern = "job.*"\n`,
    });
    try {
      await server.request('POST', '/api/services/job.quick?timeout=0.05');
      const lines = await eventually(
        async () => {
          try {
            return readFileSync(file, 'utf8')
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line));
          } catch {
            return [];
          }
        },
        (entries) => entries.length >= 3,
      );
      assert.equal(statSync(file).mode & 0o777, 0o640);
      const changes = lines.map(({ kind, name, from, to }) => ({ kind, name, from, to }));
      assert.deepEqual(changes, [
        { kind: 'service', name: 'job.quick', from: 'new', to: 'ok' },
        { kind: 'service', name: 'job.quick', from: 'ok', to: 'error' },
        { kind: 'alarm', name: 'jobs', from: 'ok', to: 'error' },
      ]);
      assert.equal(lines[2].incident_number, 1);
      assert.deepEqual(lines[2].failed_services, ['job.quick']);
      assert.ok(Number.isInteger(lines[0].ts) && lines[0].time === new Date(lines[0].ts).toISOString());
    } finally {
      await server.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('[metrics] sends statsd gauges of states, beat and invalid-line counters and save timings to a UDP listener', needsNc, async () => {
    const receiver = dgram.createSocket('udp4');
    const received: string[] = [];
    receiver.on('message', (message) => received.push(...message.toString().split('\n')));
    await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
    const port = receiver.address().port;
    const server = await PulseServer.start({
      config: `[metrics]\nserver = "127.0.0.1:${port}"\nprefix = "lb"\ninterval = 1\n[[alarms]]\nname = "shop alarm"\npattern = "shop.*"\n`,
    });
    try {
      await netcat(
        ['-4u', '-w0', '127.0.0.1', String(server.udpPort)],
        'shop.cart.timeout:0.05|g\nshop.cart.beat:1|c\nshop.pay.beat:1|c\nnot a line\n',
      );
      const lines = await eventually(
        async () => received,
        (all) => all.includes('lb.service.shop.cart.state:1|g') && all.includes('lb.alarm.shop_alarm.state:1|g'),
      );
      assert.ok(lines.includes('lb.service.shop.pay.state:0|g'), lines.join('\n'));
      assert.ok(lines.some((line) => /^lb\.services\.num_error:1\|g$/.test(line)));
      assert.ok(lines.some((line) => /^lb\.services\.num_ok:1\|g$/.test(line)));
      const beats = lines.filter((line) => line.startsWith('lb.beats:')).map((line) => Number(/:(\d+)\|c$/.exec(line)![1]));
      assert.equal(
        beats.reduce((sum, count) => sum + count, 0),
        2,
        'the beat counter adds up to the beats sent',
      );
      assert.ok(lines.includes('lb.invalid_lines:1|c'));
      assert.ok(
        lines.some((line) => /^lb\.db\.save:\d+(\.\d)?\|ms$/.test(line)),
        'database save timings',
      );
    } finally {
      await server.dispose();
      receiver.close();
    }
  });

  it('[[notify]] beats pulse.<hostname>.monitor at another Pulse server', async () => {
    const watcher = await PulseServer.start();
    const watched = await PulseServer.start({ config: `[[notify]]\nlovebeat = "${watcher.baseUrl}/"\ninterval = 1\n` });
    try {
      const name = monitorServiceName();
      const beats = await eventually(
        async () => (await watcher.request('GET', `/api/services/${name}?details=1`, { token: watcher.adminToken })).json?.service,
        (service) => (service?.beat_history?.length ?? 0) >= 2,
      );
      assert.equal(beats.state, 'ok');
      assert.ok(beats.name.startsWith('pulse.') && beats.name.endsWith('.monitor'));
    } finally {
      await watched.dispose();
      await watcher.dispose();
    }
  });

  it('[database] remote_s3_url uploads snapshots and restores a missing database from them at start', async () => {
    const s3 = await S3Peer.start();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-s3-data-'));
    try {
      const config = s3.databaseConfig('pulse/snapshot.db', 1);
      const first = await PulseServer.start({ dataDir, config });
      const admin = first.adminToken!;
      await first.request('POST', '/api/services/backup.nightly?timeout=86400');
      await wait(1500); // at least one periodic upload
      await first.request('POST', '/api/services/backup.weekly?timeout=604800');
      await first.stop(); // the shutdown upload carries the last beat
      assert.match(first.process.stderr, /uploading database snapshots to s3:\/\/pulse-snapshots\/pulse\/snapshot\.db every 1 s/);

      for (const file of ['pulse.db', 'pulse.db-wal', 'pulse.db-shm']) rmSync(path.join(dataDir, file), { force: true });
      const second = await PulseServer.start({ dataDir, config });
      try {
        assert.match(second.process.stderr, /restored the database from s3:\/\/pulse-snapshots\/pulse\/snapshot\.db/);
        const services = (await second.request('GET', '/api/services', { token: admin })).json.services.map(
          (item: { name: string }) => item.name,
        );
        assert.deepEqual(services, ['backup.nightly', 'backup.weekly']);
        assert.equal(second.adminToken, null, 'the restored database already has its admin token');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await s3.stop();
    }
  });

  it('refuses S3 snapshots with PostgreSQL, and a store it cannot reach when the database is missing', async () => {
    const postgres = await PulseServer.start({
      config: '[database]\nurl = "postgres://pulse@127.0.0.1:1/pulse"\nremote_s3_url = "s3://bucket/pulse.db"\n',
    }).catch((error: Error) => error);
    assert.ok(postgres instanceof Error);
    assert.match(
      postgres.message,
      /database\.remote_s3_url = "s3:\/\/bucket\/pulse\.db" \(line 3\): S3 snapshots copy the SQLite database file/,
    );

    const unreachable = await PulseServer.start({
      config:
        '[database]\nremote_s3_url = "s3://bucket/pulse.db"\nremote_s3_endpoint = "http://127.0.0.1:1"\nremote_s3_force_path_style = true\nremote_s3_access_key_id = "k"\nremote_s3_secret_access_key = "s"\n',
    }).catch((error: Error) => error);
    assert.ok(unreachable instanceof Error);
    assert.match(unreachable.message, /pulse\.db is missing and the snapshot at s3:\/\/bucket\/pulse\.db cannot be downloaded/);
  });
});
