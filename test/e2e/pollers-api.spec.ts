import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { freePort } from '../support/ports.js';

/** SPEC §4 through the real server: pollers registering, fetching tasks and reporting, and the admin's API. */
describe('pollers API (SPEC §4)', () => {
  let server: PulseServer;
  let admin: string;
  let ffmToken: string;
  let luwiToken: string;
  let ffm: number;
  let luwi: number;
  /** Monitors the pollers check: nothing listens on their ports, the public source finds them down. */
  const monitors: number[] = [];
  const api = (method: string, path: string, json?: unknown, token: string | null = admin, headers?: Record<string, string>) =>
    server.request(method, path, { token, json, headers });

  const result = (monitorId: number, checkedAt: number, extra: Record<string, unknown> = {}) => ({
    monitor_id: monitorId,
    status: 'up',
    latency_ms: 12.5,
    message: 'HTTP 200',
    checked_at: new Date(checkedAt).toISOString(),
    details: { status_code: 200 },
    ...extra,
  });

  before(async () => {
    server = await PulseServer.start();
    admin = server.adminToken!;
    ffmToken = (await api('POST', '/api/tokens/', { name: 'ffm', type: 'poller' })).json.token;
    luwiToken = (await api('POST', '/api/tokens/', { name: 'luwi', type: 'poller' })).json.token;
    const closed = await freePort();
    for (const name of ['intranet', 'wiki', 'printer']) {
      const created = await api('POST', '/api/monitors', { name, type: 'port', target: `127.0.0.1:${closed}`, interval: 60 });
      assert.equal(created.status, 201, created.text);
      monitors.push(created.json.id);
    }
  });
  after(() => server.dispose());

  it('whoami answers before registering; registering binds the token to one poller, and again is the same poller', async () => {
    assert.deepEqual((await api('GET', '/api/poller/whoami', undefined, ffmToken)).json, { id: null, name: 'ffm' });
    const first = await api('POST', '/api/poller/register', { name: 'Frankfurt Office', location: 'FFM', version: '0.1.0' }, ffmToken);
    assert.equal(first.status, 200, first.text);
    ffm = first.json.id;
    const again = await api('POST', '/api/poller/register', { name: 'Frankfurt Office', location: 'FFM', version: '0.1.1' }, ffmToken);
    assert.deepEqual(again.json, { id: ffm, name: 'Frankfurt Office', location: 'FFM' });
    assert.deepEqual((await api('GET', '/api/poller/whoami', undefined, ffmToken)).json, { id: ffm, name: 'Frankfurt Office' });
    const shown = (await api('GET', `/api/pollers/${ffm}`)).json;
    assert.equal(shown.version, '0.1.1', 'the version it last registered with');
    assert.equal(shown.state, 'online');
    assert.equal(shown.active, true);
    luwi = (await api('POST', '/api/poller/register', { name: 'Ludwigsburg', location: 'LuWi', version: '0.1.0' }, luwiToken)).json.id;
    assert.notEqual(luwi, ffm);
  });

  it('a poller token cannot register as another poller, and an admin token is no poller', async () => {
    const intruder = (await api('POST', '/api/tokens/', { name: 'intruder', type: 'poller' })).json.token;
    const taken = await api('POST', '/api/poller/register', { name: 'Frankfurt Office', location: 'FFM' }, intruder);
    assert.equal(taken.status, 403);
    assert.match(taken.json.message, /A poller named "Frankfurt Office" \(poller \d+\) is registered with another token/);
    assert.equal((await api('GET', '/api/poller/whoami', undefined, intruder)).json.id, null, 'nothing was bound');
    assert.equal((await api('POST', '/api/poller/register', { name: 'x' })).status, 403, 'admin token');
    const asOther = await api('POST', '/api/poller/register', { name: 'Ludwigsburg' }, ffmToken);
    assert.equal(asOther.status, 403);
    assert.equal(
      asOther.json.message,
      `This token belongs to poller ${ffm} "Frankfurt Office"; it cannot register as poller ${luwi} "Ludwigsburg".`,
    );
    const agent = (await api('POST', '/api/tokens/', { name: 'agent', type: 'agent' })).json.token;
    assert.equal((await api('GET', '/api/poller/tasks', undefined, agent)).status, 403, 'agent token');
    assert.equal((await api('GET', '/api/poller/tasks', undefined, intruder)).json.error, 'not_registered');
    const bad = await api('POST', '/api/poller/register', { name: ' ' }, intruder);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.fields, { name: 'must not be blank' });
  });

  it('a poller token reaches none of the admin routes', async () => {
    for (const [method, path, json] of [
      ['GET', '/api/pollers'],
      ['GET', `/api/pollers/${ffm}`],
      ['PUT', `/api/pollers/${luwi}`, { name: 'mine now' }],
      ['DELETE', `/api/pollers/${luwi}`],
      ['PUT', `/api/poller/${ffm}/assign`, { monitor_ids: [monitors[0]] }],
      ['GET', `/api/monitors/${monitors[0]}`],
    ] as const) {
      const answer = await api(method, path, json, ffmToken);
      assert.equal(answer.status, 403, `${method} ${path}: ${answer.text}`);
    }
  });

  it('monitors may only name existing pollers', async () => {
    const refused = await api('POST', '/api/monitors', { name: 'x', type: 'port', target: '127.0.0.1:9', pollers: [ffm, 99] });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json.fields, { pollers: 'there is no poller 99; GET /api/pollers lists them' });
    const edited = await api('PUT', `/api/monitors/${monitors[2]}`, {
      name: 'printer',
      type: 'port',
      target: '127.0.0.1:9',
      pollers: [luwi],
    });
    assert.equal(edited.status, 200, edited.text);
    assert.deepEqual(edited.json.pollers, [luwi]);
  });

  it('tasks are the assigned monitors with an ETag; unchanged they cost a 304, an assignment changes them', async () => {
    const assigned = await api('PUT', `/api/poller/${ffm}/assign`, { monitor_ids: [monitors[0], monitors[1]] });
    assert.equal(assigned.status, 200, assigned.text);
    assert.deepEqual(assigned.json.monitor_ids, [monitors[0], monitors[1]]);
    const tasks = await api('GET', '/api/poller/tasks', undefined, ffmToken);
    assert.equal(tasks.status, 200);
    assert.deepEqual(tasks.json.poller, { id: ffm, name: 'Frankfurt Office' });
    assert.deepEqual(
      tasks.json.tasks.map((task: { id: number; type: string; interval: number; retries: number }) => [
        task.id,
        task.type,
        task.interval,
        task.retries,
      ]),
      [
        [monitors[0], 'port', 60, 1],
        [monitors[1], 'port', 60, 1],
      ],
    );
    const etag = tasks.headers.get('etag')!;
    assert.match(etag, /^"[\w-]+"$/);
    const unchanged = await api('GET', '/api/poller/tasks', undefined, ffmToken, { 'if-none-match': etag });
    assert.equal(unchanged.status, 304);
    assert.equal(unchanged.text, '');
    const luwiTasks = await api('GET', '/api/poller/tasks', undefined, luwiToken, { 'if-none-match': etag });
    assert.equal(luwiTasks.status, 200, "another poller's ETag is not this one's");
    assert.deepEqual(
      luwiTasks.json.tasks.map((task: { id: number }) => task.id),
      [monitors[2]],
      'only its own tasks',
    );
    await api('PUT', `/api/poller/${ffm}/assign`, { monitor_ids: [monitors[0]] });
    const changed = await api('GET', '/api/poller/tasks', undefined, ffmToken, { 'if-none-match': etag });
    assert.equal(changed.status, 200);
    assert.deepEqual(
      changed.json.tasks.map((task: { id: number }) => task.id),
      [monitors[0]],
    );
    assert.deepEqual((await api('GET', `/api/monitors/${monitors[1]}`)).json.pollers, []);
    const unknown = await api('PUT', `/api/poller/${ffm}/assign`, { monitor_ids: [monitors[0], 424242] });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.fields.monitor_ids, /^there is no monitor 424242/);
    assert.equal((await api('PUT', '/api/poller/999/assign', { monitor_ids: [] })).status, 404);
  });

  it('results: accepted, duplicates counted once, and rejected per item with the reason', async () => {
    const now = Date.now();
    const batch = {
      results: [
        result(monitors[0]!, now - 3000),
        result(monitors[0]!, now - 2000, { status: 'warning', message: 'slow' }),
        result(monitors[1]!, now - 2000), // unassigned since the last test
        result(monitors[2]!, now - 2000), // LuWi's
        { monitor_id: monitors[0], status: 'sideways', checked_at: new Date(now).toISOString() },
        result(monitors[0]!, now + 3_600_000),
        result(424242, now),
      ],
      outbox: { queued: 7, dropped: 3 },
    };
    const first = await api('POST', '/api/poller/results', batch, ffmToken);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json.accepted, 2);
    assert.deepEqual(first.json.duplicates, 0);
    assert.deepEqual(first.json.rejected, [
      { index: 2, reason: `monitor ${monitors[1]} is not assigned to this poller` },
      { index: 3, reason: `monitor ${monitors[2]} is not assigned to this poller` },
      { index: 4, reason: 'status: must be "up", "down" or "warning"' },
      {
        index: 5,
        reason: `checked_at: ${new Date(now + 3_600_000).toISOString()} is ahead of the server's clock by more than 5 min; is the poller's clock right?`,
      },
      { index: 6, reason: 'there is no monitor 424242' },
    ]);
    const again = await api(
      'POST',
      '/api/poller/results',
      { results: batch.results.slice(0, 2), outbox: { queued: 0, dropped: 3 } },
      ffmToken,
    );
    assert.deepEqual(again.json, { accepted: 0, duplicates: 2, rejected: [] });

    const stored = (await api('GET', `/api/monitors/${monitors[0]}/results?source=poller:${ffm}`)).json.results;
    assert.deepEqual(
      stored.map((row: { status: string; message: string; checked_at: string }) => [row.status, row.message, row.checked_at]),
      [
        ['warning', 'slow', new Date(now - 2000).toISOString()],
        ['up', 'HTTP 200', new Date(now - 3000).toISOString()],
      ],
      'each result once, with the time the poller checked it',
    );
    assert.equal(
      (await api('GET', `/api/monitors/${monitors[2]}/results?source=poller:${ffm}`)).json.results.length,
      0,
      'nothing landed on another source',
    );
    const history = (await api('GET', `/api/monitors/${monitors[0]}/history?period=minute`)).json.buckets;
    const publicChecks = (await api('GET', `/api/monitors/${monitors[0]}/results?source=public`)).json.results.length;
    const counted = history.reduce((sum: number, bucket: { checks: number }) => sum + bucket.checks, 0);
    assert.equal(counted, publicChecks + 2, 'the uptime buckets count each result once');

    const detail = (await api('GET', `/api/monitors/${monitors[0]}`)).json;
    const source = detail.sources.find((entry: { source: string }) => entry.source === `poller:${ffm}`);
    assert.deepEqual([source.name, source.location, source.status, source.message], ['Frankfurt Office', 'FFM', 'warning', 'slow']);
    const poller = (await api('GET', `/api/pollers/${ffm}`)).json;
    assert.deepEqual([poller.outbox.queued, poller.outbox.dropped], [0, 3]);
    assert.ok(Date.now() - Date.parse(poller.last_seen_at) < 10_000);
  });

  it('refuses a batch that is not one, naming the field', async () => {
    const notAList = await api('POST', '/api/poller/results', { results: 'all of them' }, ffmToken);
    assert.equal(notAList.status, 400);
    assert.deepEqual(notAList.json.fields, { results: 'must be a list of results' });
    const badOutbox = await api('POST', '/api/poller/results', { results: [], outbox: { queued: -1 } }, ffmToken);
    assert.deepEqual(badOutbox.json.fields, { outbox: 'must be {"queued": <whole number>, "dropped": <whole number>}' });
  });

  it('counts pollers and their results in /metrics', async () => {
    const metrics = (await api('GET', '/metrics')).text;
    assert.match(metrics, /^pulse_pollers\{state="online"\} 2$/m);
    assert.match(metrics, /^pulse_poller_results_total\{outcome="accepted"\} 2$/m);
    assert.match(metrics, /^pulse_poller_results_total\{outcome="duplicate"\} 2$/m);
    assert.match(metrics, /^pulse_poller_results_total\{outcome="rejected"\} 5$/m);
  });

  it('lists pollers a page at a time, and edits name, location and alerts', async () => {
    const list = (await api('GET', '/api/pollers?per_page=1')).json;
    assert.deepEqual([list.total, list.per_page, list.pollers.length, list.pollers[0].name], [2, 1, 1, 'Frankfurt Office']);
    assert.equal((await api('GET', '/api/pollers?q=ludw')).json.pollers[0].id, luwi);
    assert.equal((await api('GET', '/api/pollers?state=offline')).json.total, 0);
    const noChannel = await api('PUT', `/api/pollers/${luwi}`, { alerts: ['nowhere'] });
    assert.deepEqual(noChannel.json.fields, { alerts: 'there is no alert channel "nowhere"; GET /api/alerts lists them' });
    const clash = await api('PUT', `/api/pollers/${luwi}`, { name: 'Frankfurt Office' });
    assert.equal(clash.status, 400);
    const renamed = await api('PUT', `/api/pollers/${luwi}`, { name: 'Ludwigsburg Lager', location: 'LuWi 2' });
    assert.deepEqual([renamed.json.name, renamed.json.location, renamed.json.alerts], ['Ludwigsburg Lager', 'LuWi 2', []]);
    const monitor = (await api('GET', `/api/monitors/${monitors[2]}`)).json;
    assert.deepEqual(
      monitor.sources.map((source: { source: string; name: string; location: string | null }) => [
        source.source,
        source.name,
        source.location,
      ]),
      [
        ['public', 'Public', null],
        [`poller:${luwi}`, 'Ludwigsburg Lager', 'LuWi 2'],
      ],
    );
  });

  it('deleting a poller revokes its token and takes its source off every monitor', async () => {
    const deleted = await api('DELETE', `/api/pollers/${luwi}`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal((await api('GET', '/api/poller/whoami', undefined, luwiToken)).status, 401);
    assert.equal((await api('GET', `/api/pollers/${luwi}`)).status, 404);
    const monitor = (await api('GET', `/api/monitors/${monitors[2]}`)).json;
    assert.deepEqual(monitor.pollers, []);
    assert.deepEqual(
      monitor.sources.map((source: { source: string }) => source.source),
      ['public'],
    );
  });
});
