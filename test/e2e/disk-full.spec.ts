import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { netcat } from '../support/netcat.js';
import { freePort } from '../support/ports.js';
import { Tmpfs, tmpfsUnavailable } from '../support/tmpfs.js';
import { waitUntil } from '../support/wait.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';

async function sendUdp(port: number, datagram: string): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  socket.close();
}

/** Every pulse_write_queue_pending series, by queue. */
async function pendingWrites(server: PulseServer, admin: string): Promise<Record<string, number>> {
  const text = (await server.request('GET', '/metrics', { token: admin })).text;
  return Object.fromEntries([...text.matchAll(/^pulse_write_queue_pending\{queue="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

describe(
  'a full disk under the data directory (README: what a crash can lose)',
  { skip: tmpfsUnavailable() ?? skipUnlessInstalled('nc') },
  () => {
    it('keeps beats in memory, refuses admin writes with 503, says so in /readyz, and loses nothing acknowledged once space returns', async () => {
      const disk = await Tmpfs.mount('8m');
      const closedPort = await freePort();
      let server: PulseServer | null = null;
      try {
        server = await PulseServer.start({ dataDir: disk.dir });
        const admin = server.adminToken!;
        const api = (method: string, path: string, json?: unknown, token: string | null = admin) =>
          server!.request(method, path, { token, json });
        const rotateMe = (await api('POST', '/api/tokens/', { name: 'rotate me', type: 'admin' })).json;
        const revokeMe = (await api('POST', '/api/tokens/', { name: 'revoke me', type: 'admin' })).json;
        const monitor = { type: 'port', target: `127.0.0.1:${closedPort}`, interval: 5, timeout: 2 };
        const beforeMonitor = (await api('POST', '/api/monitors', { ...monitor, name: 'before' })).json;

        // The disk fills up; beats keep coming (each with a new name, so every one is a new row).
        disk.fill();
        const acknowledged: string[] = [];
        let ready = await api('GET', '/readyz', undefined, null);
        for (let round = 0; round < 200 && ready.status === 200; round++) {
          const names = Array.from({ length: 50 }, (_, n) => `full.r${round}.n${n}.${'x'.repeat(150)}`);
          const answers = await Promise.all(names.map((name) => api('POST', `/api/services/${name}`, undefined, null)));
          answers.forEach((answer, n) => answer.status === 200 && acknowledged.push(names[n]));
          ready = await api('GET', '/readyz', undefined, null);
        }
        assert.equal(ready.status, 503, `/readyz turns 503 while writes fail: ${ready.text}`);
        assert.equal(ready.json.checks?.database, 'failing', ready.text);
        assert.equal(ready.json.error, 'not_ready');
        assert.match(ready.json.message, /^database: writes fail since .*: the disk holding the database is full/);
        assert.match(ready.json.reasons.database, /^writes fail since .*: the disk holding the database is full/);

        // Admin writes are refused, not acknowledged; beats are still taken (into memory).
        const refused = [
          await api('POST', `/api/tokens/${rotateMe.id}/rotate`),
          await api('DELETE', `/api/tokens/${revokeMe.id}`),
          await api('POST', '/api/tokens/', { name: 'during', type: 'admin' }),
          await api('POST', '/api/monitors', { ...monitor, name: 'during' }),
          await api('POST', '/api/alarms', { name: 'during', pattern: 'during.*' }),
          await api('POST', '/api/maintenance', { name: 'during', cron: '0 3 * * *', duration_min: 10, services: 'x.*' }),
          await api('POST', `/api/services/${acknowledged[0]}/mute`),
        ];
        for (const answer of refused) {
          assert.equal(answer.status, 503, answer.text);
          assert.equal(answer.json.error, 'storage_unavailable');
          assert.match(answer.json.message, /disk holding the database is full/);
        }
        assert.equal((await api('POST', '/api/services/during.http?timeout=3600', undefined, null)).status, 200);
        await netcat(['-N', '127.0.0.1', String(server.tcpPort)], 'during.tcp.timeout:3600|g\nduring.tcp.beat:1|c\n');
        await sendUdp(server.udpPort, 'during.udp.timeout:3600|g\nduring.udp.beat:1|c\n');
        await waitUntil('the UDP beat', async () => (await api('GET', '/api/services/during.udp')).status === 200);

        // Space returns: /readyz recovers, and everything from now on is stored.
        disk.free();
        await waitUntil('/readyz to recover', async () => (await api('GET', '/readyz', undefined, null)).status === 200);
        const rotated = await api('POST', `/api/tokens/${rotateMe.id}/rotate`);
        assert.equal(rotated.status, 200, rotated.text);
        assert.equal((await api('DELETE', `/api/tokens/${revokeMe.id}`)).status, 200);
        assert.equal((await api('POST', '/api/tokens/', { name: 'after', type: 'admin' })).status, 201);
        const afterMonitor = await api('POST', '/api/monitors', { ...monitor, name: 'after' });
        assert.equal(afterMonitor.status, 201);
        assert.equal((await api('POST', '/api/alarms', { name: 'after', pattern: 'after.*' })).status, 201);
        const window = { name: 'after', cron: '0 3 * * *', duration_min: 10, services: 'x.*' };
        assert.equal((await api('POST', '/api/maintenance', window)).status, 201);
        assert.equal((await api('POST', '/api/services/during.http/mute')).status, 200);
        assert.equal((await api('POST', '/api/services/after.http?timeout=3600', undefined, null)).status, 200);
        await netcat(['-N', '127.0.0.1', String(server.tcpPort)], 'after.tcp.timeout:3600|g\nafter.tcp.beat:1|c\n');
        await sendUdp(server.udpPort, 'after.udp.timeout:3600|g\nafter.udp.beat:1|c\n');
        await waitUntil('the UDP beat', async () => (await api('GET', '/api/services/after.udp')).status === 200);
        const resultsOf = async (id: number) =>
          (await api('GET', `/api/monitors/${id}/results`)).json.results.map((result: { checked_at: string }) => result.checked_at);
        const results = await waitUntil('both monitors to have results', async () => {
          const [before, after] = [await resultsOf(beforeMonitor.id), await resultsOf(afterMonitor.json.id)];
          return before.length > 0 && after.length > 0 && { before, after };
        });
        const drained = await waitUntil('the write queues to drain', async () => {
          const pending = await pendingWrites(server!, admin);
          return Object.keys(pending).length > 0 && Object.values(pending).every((count) => count === 0) && pending;
        });
        assert.deepEqual(Object.keys(drained).sort(), ['alarms', 'alerts', 'heartbeats', 'monitor_states', 'results']);

        // A crash now (kill -9) must not lose any of it.
        await server.process.kill();
        server = await PulseServer.start({ dataDir: disk.dir });
        assert.equal(server.adminToken, null);
        assert.equal((await api('GET', '/api/tokens/')).status, 200);
        assert.equal((await api('GET', '/api/tokens/', undefined, rotateMe.token)).status, 401, 'the rotated-away secret stays dead');
        assert.equal((await api('GET', '/api/tokens/', undefined, rotated.json.token)).status, 200);
        assert.equal((await api('GET', '/api/tokens/', undefined, revokeMe.token)).status, 401, 'the revoked token stays revoked');
        const tokens = (await api('GET', '/api/tokens/')).json.tokens.map((token: { name: string }) => token.name);
        assert.ok(tokens.includes('after') && !tokens.includes('during'), tokens.join(', '));
        const monitors = (await api('GET', '/api/monitors')).json.monitors.map((row: { name: string }) => row.name).sort();
        assert.deepEqual(monitors, ['after', 'before']);
        const kept = { before: await resultsOf(beforeMonitor.id), after: await resultsOf(afterMonitor.json.id) };
        assert.ok(
          results.before.every((at: string) => kept.before.includes(at)) && results.after.every((at: string) => kept.after.includes(at)),
        );
        assert.deepEqual(
          (await api('GET', '/api/alarms')).json.definitions.map((definition: { name: string }) => definition.name),
          ['after'],
        );
        assert.deepEqual(
          (await api('GET', '/api/maintenance')).json.windows.map((row: { name: string }) => row.name),
          ['after'],
        );
        const services = new Map<string, { state: string }>(
          (await api('GET', '/api/services')).json.services.map((service: { name: string; state: string }) => [service.name, service]),
        );
        const lost = acknowledged.filter((name) => !services.has(name));
        assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} beats acknowledged while the disk was full were lost`);
        for (const name of ['during.tcp', 'during.udp', 'after.http', 'after.tcp', 'after.udp'])
          assert.equal(services.get(name)?.state, 'ok', name);
        assert.equal(services.get('during.http')?.state, 'muted');
      } finally {
        await server?.stop();
        await disk.unmount();
      }
    });
  },
);
