import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import { waitUntil } from '../support/wait.js';
import { freePort } from '../support/ports.js';

/** A TCP service the test can switch on and off at a fixed port. */
class Switchable {
  private server: net.Server | null = null;
  constructor(readonly port: number) {}
  on(): Promise<void> {
    const server = net.createServer((socket) => socket.destroy());
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }
  off(): Promise<void> {
    const server = this.server;
    this.server = null;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('alerts from monitors (SPEC §7)', () => {
  let hook: HttpReceiver;
  let server: PulseServer;
  let admin: string;
  let service: Switchable;
  let monitorId: number;

  before(async () => {
    hook = await HttpReceiver.start();
    service = new Switchable(await freePort());
    await service.on();
    server = await PulseServer.start({
      config: ['public_url = "https://pulse.example.com/"', '[alerts.oncall]', `webhook = "${hook.url}/monitors"`, 'default = true'].join(
        '\n',
      ),
    });
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    await service.off();
    await hook.stop();
  });

  const monitor = async () => (await server.request('GET', `/api/monitors/${monitorId}`, { token: admin })).json;
  const bodies = () => hook.requests.map((request) => JSON.parse(request.body) as Record<string, any>);

  it('refuses a monitor that names an alert channel that does not exist', async () => {
    const response = await server.request('POST', '/api/monitors', {
      token: admin,
      json: { name: 'x', type: 'port', target: `127.0.0.1:${service.port}`, alerts: ['nobody'] },
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.message, 'alerts: there is no alert channel "nobody"; GET /api/alerts lists them');
  });

  it('alerts the default channel when a monitor goes down, and again when it recovers', async () => {
    const created = await server.request('POST', '/api/monitors', {
      token: admin,
      json: { name: 'db port', type: 'port', target: `127.0.0.1:${service.port}`, interval: 5, retries: 0 },
    });
    assert.equal(created.status, 201);
    monitorId = created.json.id;
    await waitUntil('the monitor up', async () => (await monitor()).status === 'up');
    assert.equal(hook.requests.length, 0, 'a first result of up is not news');

    await service.off();
    await hook.waitForRequests(1, 20_000);
    const down = bodies()[0]!;
    assert.deepEqual(
      {
        kind: down.kind,
        id: down.id,
        name: down.name,
        from: down.from_state,
        to: down.to_state,
        incident: down.incident_number,
        message: down.message,
        url: down.url,
      },
      {
        kind: 'monitor',
        id: String(monitorId),
        name: 'db port',
        from: 'up',
        to: 'down',
        incident: 1,
        message: 'connection refused',
        url: `https://pulse.example.com/monitors/${monitorId}`,
      },
    );
    assert.deepEqual(
      down.sources.map((source: { source: string; status: string }) => [source.source, source.status]),
      [['public', 'down']],
    );

    await service.on();
    await hook.waitForRequests(2, 20_000);
    const up = bodies()[1]!;
    assert.deepEqual([up.from_state, up.to_state, up.incident_number], ['down', 'up', 1]);
  });

  it('shows maintenance inside a window and sends nothing; still down when it ends, it alerts', async () => {
    const before = hook.requests.length;
    const window = await server.request('POST', '/api/maintenance', {
      token: admin,
      json: {
        name: 'db upgrade',
        starts_at: new Date(Date.now() - 1000).toISOString(),
        ends_at: new Date(Date.now() + 3_600_000).toISOString(),
        monitor_ids: [monitorId],
      },
    });
    assert.equal(window.status, 201);
    await waitUntil('the monitor in maintenance', async () => (await monitor()).status === 'maintenance');
    assert.equal((await monitor()).maintenance, true);

    const offAt = Date.now();
    await service.off();
    await waitUntil('a down result inside the window', async () => {
      const results = (await server.request('GET', `/api/monitors/${monitorId}/results?since=${offAt}&limit=1`, { token: admin })).json
        .results;
      return results[0]?.status === 'down';
    });
    assert.equal((await monitor()).status, 'maintenance');
    assert.equal(hook.requests.length, before, 'no alert inside the window');

    // Uptime is not charged for the window: its time is booked as maintenance (buckets are written in batches).
    await waitUntil('maintenance time in the uptime buckets', async () => {
      const history = await server.request('GET', `/api/monitors/${monitorId}/history?period=minute`, { token: admin });
      return history.json.buckets.some((bucket: { maintenance_ms: number }) => bucket.maintenance_ms > 0);
    });

    await server.request('DELETE', `/api/maintenance/${window.json.id}`, { token: admin });
    await waitUntil('the monitor down after the window', async () => (await monitor()).status === 'down');
    await hook.waitForRequests(before + 1);
    const alert = bodies()[before]!;
    assert.deepEqual([alert.from_state, alert.to_state], ['maintenance', 'down']);
  });
});
