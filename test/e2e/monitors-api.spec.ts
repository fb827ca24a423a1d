import path from 'node:path';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PulseServer } from '../peers/pulse-server.js';
import { freePort } from '../support/ports.js';

/** Polls until `check` returns a value (not undefined) or the deadline passes; for waiting on checks, never for timing them. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A local web site whose answer the test switches. */
class SwitchableSite {
  status = 200;
  readonly server = http.createServer((_request, response) =>
    response.writeHead(this.status).end(this.status === 200 ? 'Welcome' : 'Broken'),
  );
  url = '';
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }
  stop() {
    this.server.closeAllConnections();
    this.server.close();
  }
}

describe('monitors API (SPEC §3)', () => {
  let server: PulseServer;
  let admin: string;
  const site = new SwitchableSite();
  const api = (method: string, path: string, json?: unknown, token: string | null = admin) => server.request(method, path, { token, json });
  const monitorOf = (id: number) => api('GET', `/api/monitors/${id}`).then((response) => response.json);
  const whenStatus = (id: number, status: string) =>
    eventually(`monitor ${id} to be ${status}`, async () => {
      const monitor = await monitorOf(id);
      return monitor.status === status ? monitor : undefined;
    });

  before(async () => {
    await site.start();
    server = await PulseServer.start();
    admin = server.adminToken!;
  });
  after(async () => {
    await server.dispose();
    site.stop();
  });

  it('refuses bad monitors with 400 naming the field', async () => {
    const valid = { name: 'Shop', type: 'http', target: 'https://shop.example.test/' };
    const cases: [unknown, string][] = [
      [{ ...valid, type: 'gopher' }, 'type: unknown monitor type "gopher"; one of dns, http, nagios, ping, port, snmp, ssl'],
      [
        { ...valid, target: 'shop.example.test' },
        'target: must be an http:// or https:// URL with a host, e.g. "https://www.example.com/health"',
      ],
      [
        { ...valid, type: 'port', target: 'db.example.test' },
        'target: must be "host:port" with a port 1-65535, e.g. "db.example.com:5432" or "[2001:db8::1]:22"',
      ],
      [{ ...valid, interval: 4 }, 'interval: must be at least 5 (seconds)'],
      [{ ...valid, interval: 86401 }, 'interval: must be at most 86400 (seconds, one day)'],
      [{ ...valid, interval: 30, timeout: 30 }, 'timeout: must be less than interval (30 s)'],
      [{ ...valid, interval: '60' }, 'interval: must be a whole number of seconds'],
      [{ ...valid, options: { colour: 'red' } }, 'options.colour: unknown option'],
      [{ ...valid, options: { method: 'FETCH' } }, 'options.method: must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'],
      [{ ...valid, type: 'ping', target: '10.0.0.1', options: { count: 0 } }, 'options.count: must be at least 1'],
      [{ ...valid, name: '  ' }, 'name: must not be blank'],
      [{ ...valid, pollers: ['a'] }, 'pollers: must be a list of poller ids (positive whole numbers)'],
      [{ ...valid, quorum: 0 }, 'quorum: must be at least 1 (sources down before the monitor is down)'],
      [{ ...valid, colour: 'red' }, 'colour: unknown field'],
    ];
    // Each message names one field: `fields` carries it for a form to show next to that field.
    const fieldOf = (message: string) => ({ [message.slice(0, message.indexOf(': '))]: message.slice(message.indexOf(': ') + 2) });
    for (const [json, message] of cases) {
      const response = await api('POST', '/api/monitors', json);
      assert.equal(response.status, 400, JSON.stringify(json));
      assert.deepEqual(response.json, { error: 'validation_failed', message, fields: fieldOf(message) }, JSON.stringify(json));
    }
    assert.equal((await api('POST', '/api/monitors', [valid])).json.error, 'invalid_body');
    assert.deepEqual((await api('GET', '/api/monitors/abc')).json, {
      error: 'validation_failed',
      message: 'id: must be a positive whole number, not "abc"',
      fields: { id: 'must be a positive whole number, not "abc"' },
    });
    assert.equal((await api('GET', '/api/monitors/999999')).status, 404);
    assert.deepEqual((await api('GET', '/api/monitors?per_page=1000')).json, {
      error: 'validation_failed',
      message: 'per_page: must be at most 500',
      fields: { per_page: 'must be at most 500' },
    });
    assert.equal((await api('GET', '/api/monitors?status=sleepy')).status, 400);
    assert.equal(
      (await api('GET', '/api/monitors/1/results?since=yesterday')).json.message,
      'since: must be an ISO 8601 time (2026-11-22T12:00:00Z) or epoch milliseconds',
    );
    assert.equal((await api('GET', '/api/monitors', undefined, null)).status, 401);
  });

  it('names every bad field of a monitor at once, plugin options as options.<key>', async () => {
    const response = await api('POST', '/api/monitors', {
      name: 'Shop',
      type: 'http',
      target: 'shop.example.test',
      interval: 30,
      timeout: 30,
      options: { keyword: 5, follow_redirects: 'yes', colour: 'red' },
      alerts: ['no-such-channel'],
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error, 'validation_failed');
    assert.deepEqual(response.json.fields, {
      target: 'must be an http:// or https:// URL with a host, e.g. "https://www.example.com/health"',
      timeout: 'must be less than interval (30 s)',
      'options.keyword': 'must be a string',
      'options.follow_redirects': 'must be true or false',
      'options.colour': 'unknown option',
      alerts: 'there is no alert channel "no-such-channel"; GET /api/alerts lists them',
    });
    for (const [field, problem] of Object.entries(response.json.fields)) {
      assert.ok(response.json.message.includes(`${field}: ${problem}`), `the message names ${field} too`);
    }
    const blankName = await api('POST', '/api/monitors', { name: ' ', type: 'http', target: 'x', options: { colour: 'red' } });
    assert.deepEqual(blankName.json.fields, { name: 'must not be blank' }, 'the body is checked before the plugin options');
  });

  it('creates a monitor with defaults, checks it within seconds and shows its source, uptime and results', async () => {
    const created = await api('POST', '/api/monitors', {
      name: 'Local site',
      type: 'http',
      target: site.url,
      options: { keyword: 'Welcome' },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(
      [
        created.json.interval,
        created.json.timeout,
        created.json.retries,
        created.json.status,
        created.json.paused,
        created.json.incident_number,
      ],
      [60, 10, 1, 'pending', false, 0],
    );
    assert.equal(created.json.options.keyword, 'Welcome');
    assert.equal(created.json.options.max_redirects, 10, 'options come back with their defaults');
    const monitor = await whenStatus(created.json.id, 'up');
    assert.deepEqual(
      monitor.sources.map((source: Record<string, unknown>) => [source.source, source.name, source.status, source.message]),
      [['public', 'Public', 'up', 'HTTP 200']],
    );
    assert.equal(typeof monitor.sources[0].latency_ms, 'number');
    assert.ok(monitor.last_change_at);
    // Results are written in batches, a moment after the state they caused.
    const [latest] = await eventually('the result to be stored', async () => {
      const stored = (await api('GET', `/api/monitors/${created.json.id}/results?source=public&limit=5`)).json.results;
      return stored.length > 0 ? stored : undefined;
    });
    assert.equal(latest.status, 'up');
    assert.equal(latest.details.status_code, 200);
  });

  it('goes down and up again with numbered incidents, and applies edits to the next check', async () => {
    site.status = 200;
    const { json: created } = await api('POST', '/api/monitors', {
      name: 'Flaky site',
      type: 'http',
      target: site.url,
      interval: 5,
      timeout: 2,
      retries: 0,
    });
    await whenStatus(created.id, 'up');
    site.status = 503;
    const down = await whenStatus(created.id, 'down');
    assert.equal(down.incident_number, 1);
    assert.equal(down.sources[0].message, 'HTTP 503');
    site.status = 200;
    await whenStatus(created.id, 'up');
    const incidents = (await api('GET', `/api/monitors/${created.id}/incidents`)).json;
    assert.equal(incidents.incidents[0].number, 1);
    assert.equal(incidents.incidents[0].status, 'resolved');
    assert.equal(incidents.incidents[0].cause, 'HTTP 503');
    assert.equal(incidents.incidents[0].resolution, 'recovered');
    assert.equal(typeof incidents.incidents[0].duration_s, 'number');

    const edited = await api('PUT', `/api/monitors/${created.id}`, {
      name: 'Flaky site',
      type: 'http',
      target: site.url,
      interval: 5,
      timeout: 2,
      retries: 0,
      options: { accepted_codes: ['500-599'] },
    });
    assert.equal(edited.status, 200);
    assert.deepEqual(edited.json.options.accepted_codes, ['500-599']);
    const afterEdit = await whenStatus(created.id, 'down');
    assert.equal(afterEdit.incident_number, 2);
    const history = await api('GET', `/api/monitors/${created.id}/history?period=minute`);
    assert.ok(history.json.buckets.length >= 1);
    assert.ok(history.json.buckets.some((bucket: { checks: number }) => bucket.checks > 0));
  });

  it('lists with server-side filters and pagination', async () => {
    const port = await freePort();
    for (const name of ['db-a', 'db-b', 'db-c'])
      await api('POST', '/api/monitors', { name, type: 'port', target: `127.0.0.1:${port}`, interval: 3600, retries: 0 });
    const page = await api('GET', '/api/monitors?type=port&per_page=2&page=2');
    assert.deepEqual(
      [page.json.total, page.json.page, page.json.per_page, page.json.monitors.map((monitor: { name: string }) => monitor.name)],
      [3, 2, 2, ['db-c']],
    );
    assert.deepEqual(
      (await api('GET', '/api/monitors?q=DB-B')).json.monitors.map((monitor: { name: string }) => monitor.name),
      ['db-b'],
    );
    await eventually('the port monitors to be down', async () =>
      (await api('GET', '/api/monitors?type=port&status=down')).json.total === 3 ? true : undefined,
    );
    const up = await api('GET', '/api/monitors?status=up');
    assert.ok(up.json.monitors.every((monitor: { status: string }) => monitor.status === 'up'));
  });

  it('pauses (no more checks) and resumes (checked again soon), then deletes', async () => {
    const { json: created } = await api('POST', '/api/monitors', {
      name: 'Pausable',
      type: 'http',
      target: site.url,
      interval: 5,
      timeout: 2,
    });
    await whenStatus(created.id, 'up');
    const paused = await api('POST', `/api/monitors/${created.id}/pause`);
    assert.deepEqual([paused.status, paused.json.status, paused.json.paused], [200, 'paused', true]);
    assert.equal(
      (await api('GET', '/api/monitors?status=paused')).json.monitors.some((monitor: { id: number }) => monitor.id === created.id),
      true,
    );
    const countResults = async () => (await api('GET', `/api/monitors/${created.id}/results?limit=1000`)).json.results.length;
    await new Promise((resolve) => setTimeout(resolve, 1000)); // lets a result already on its way land
    const before = await countResults();
    await new Promise((resolve) => setTimeout(resolve, 7000));
    assert.equal(await countResults(), before, 'a paused monitor is not checked');
    const resumed = await api('POST', `/api/monitors/${created.id}/resume`);
    assert.deepEqual([resumed.json.status, resumed.json.paused], ['pending', false]);
    await whenStatus(created.id, 'up');
    assert.equal((await api('DELETE', `/api/monitors/${created.id}`)).status, 200);
    assert.equal((await api('GET', `/api/monitors/${created.id}`)).status, 404);
    assert.equal((await api('GET', `/api/monitors/${created.id}/results`)).status, 404);
  });
});

describe('monitor secrets', () => {
  it('masks secret options in every view and keeps them when an edit sends the mask back', async () => {
    const server = await PulseServer.start();
    try {
      const token = server.adminToken;
      const body = {
        name: 'core switch',
        type: 'snmp',
        target: '127.0.0.1:1161',
        options: { version: '2c', community: 'n0t-public', oids: ['1.3.6.1.2.1.1.3.0'] },
      };
      const created = await server.request('POST', '/api/monitors', { token, json: body });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json.options.community, '********');
      const listed = await server.request('GET', '/api/monitors', { token });
      assert.ok(!listed.text.includes('n0t-public') && !created.text.includes('n0t-public'));
      const edited = await server.request('PUT', `/api/monitors/${created.json.id}`, {
        token,
        json: { ...body, name: 'core switch 1', options: created.json.options },
      });
      assert.equal(edited.status, 200, edited.text);
      assert.equal(edited.json.options.community, '********');
      const stored = new Database(path.join(server.dataDir, 'pulse.db'), { readonly: true });
      const row = stored.prepare('SELECT options FROM monitors WHERE id = ?').get(created.json.id) as { options: string };
      stored.close();
      assert.equal(JSON.parse(row.options).community, 'n0t-public');
    } finally {
      await server.dispose();
    }
  });
});

describe('monitors across a restart', () => {
  it('keeps monitors, their states, incident numbers and history', async () => {
    const site = new SwitchableSite();
    await site.start();
    site.status = 500;
    let server = await PulseServer.start();
    const dataDir = server.dataDir;
    const admin = server.adminToken!;
    try {
      const api = (method: string, path: string, json?: unknown) => server.request(method, path, { token: admin, json });
      const { json: created } = await api('POST', '/api/monitors', {
        name: 'Survivor',
        type: 'http',
        target: site.url,
        interval: 5,
        timeout: 2,
        retries: 0,
      });
      const down = await eventually('the monitor to be down', async () => {
        const monitor = (await api('GET', `/api/monitors/${created.id}`)).json;
        return monitor.status === 'down' ? monitor : undefined;
      });
      await eventually('two results', async () =>
        (await api('GET', `/api/monitors/${created.id}/results`)).json.results.length >= 2 ? true : undefined,
      );
      const resultsBefore = (await api('GET', `/api/monitors/${created.id}/results`)).json.results;
      await server.stop();

      server = await PulseServer.start({ dataDir });
      assert.equal(server.adminToken, null, 'no new admin token on a restart');
      const kept = (await api('GET', `/api/monitors/${created.id}`)).json;
      assert.deepEqual([kept.name, kept.status, kept.incident_number, kept.last_change_at], ['Survivor', 'down', 1, down.last_change_at]);
      const resultsAfter = (await api('GET', `/api/monitors/${created.id}/results`)).json.results;
      assert.ok(resultsAfter.length >= resultsBefore.length, 'results written before the stop are kept');
      assert.deepEqual(resultsAfter.slice(-resultsBefore.length), resultsBefore);
      assert.equal((await api('GET', `/api/monitors/${created.id}/incidents`)).json.incidents[0].status, 'open');

      site.status = 200;
      await eventually('recovery after the restart', async () =>
        (await api('GET', `/api/monitors/${created.id}`)).json.status === 'up' ? true : undefined,
      );
      site.status = 500;
      const again = await eventually('the next outage', async () => {
        const monitor = (await api('GET', `/api/monitors/${created.id}`)).json;
        return monitor.status === 'down' ? monitor : undefined;
      });
      assert.equal(again.incident_number, 2, 'incident numbers continue after a restart');
      const incidents = (await api('GET', `/api/monitors/${created.id}/incidents`)).json.incidents;
      assert.deepEqual(
        incidents.map((incident: { number: number; status: string }) => [incident.number, incident.status]),
        [
          [2, 'open'],
          [1, 'resolved'],
        ],
      );
      assert.ok(again.uptime['24h'] !== null && again.uptime['24h'] < 100, `24 h uptime reflects the outages (${again.uptime['24h']})`);
    } finally {
      await server.dispose();
      site.stop();
    }
  });
});
