import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';

/**
 * Every list endpoint reads its feature's query service and pages on the server: `page`, `per_page` and
 * `total`, filters, and — for Lovebeat's lists — the old answer when no paging is asked for.
 */
describe('list endpoints, paged on the server', () => {
  let server: PulseServer;
  let admin: string;
  let hook: HttpReceiver;

  before(async () => {
    hook = await HttpReceiver.start();
    server = await PulseServer.start({
      config: ['[[alarms]]', 'name = "app-$name"', 'pattern = "app.$name.*"', '[alerts.from-file]', `webhook = "${hook.url}/file"`].join(
        '\n',
      ),
    });
    admin = server.adminToken!;
    // Services beaten out of name order; two of them end in error.
    for (const name of ['app.delta.x', 'app.alpha.x', 'app.charlie.x', 'app.bravo.x', 'other.echo']) {
      await server.request('POST', `/api/services/${name}`);
    }
    await server.request('POST', '/api/services/app.charlie.x/fail');
    await server.request('POST', '/api/services/other.echo/fail');
  });
  after(async () => {
    await server.dispose();
    await hook.stop();
  });

  const get = async (url: string) => {
    const response = await server.request('GET', url, { token: admin });
    assert.equal(response.status, 200, `${url}: ${JSON.stringify(response.json)}`);
    return response.json;
  };
  const names = (items: { name: string }[]) => items.map((item) => item.name);

  it("keeps Lovebeat's GET /api/services: everything by name, {services, now}, other parameters ignored", async () => {
    const body = await get('/api/services?_=1700000000000');
    assert.deepEqual(Object.keys(body).sort(), ['now', 'services']);
    assert.deepEqual(names(body.services), ['app.alpha.x', 'app.bravo.x', 'app.charlie.x', 'app.delta.x', 'other.echo']);
  });

  it('pages, filters and sorts services when asked', async () => {
    const second = await get('/api/services?page=2&per_page=2');
    assert.deepEqual(names(second.services), ['app.charlie.x', 'app.delta.x']);
    assert.deepEqual([second.page, second.per_page, second.total], [2, 2, 5]);
    const errors = await get('/api/services?state=error&per_page=10');
    assert.deepEqual([names(errors.services), errors.total], [['app.charlie.x', 'other.echo'], 2]);
    const text = await get('/api/services?q=ALPHA');
    assert.deepEqual(names(text.services), ['app.alpha.x']);
    const reversed = await get('/api/services?sort=-name&per_page=2');
    assert.deepEqual(names(reversed.services), ['other.echo', 'app.delta.x']);
    const problemsFirst = await get('/api/services?sort=state&per_page=3');
    assert.deepEqual(names(problemsFirst.services), ['app.charlie.x', 'other.echo', 'app.alpha.x']);
    const latest = await get('/api/services?sort=-last_beat&per_page=1');
    assert.equal(
      latest.services[0].last_beat,
      Math.max(...(await get('/api/services')).services.map((s: { last_beat: number }) => s.last_beat)),
    );
    const refused = await server.request('GET', '/api/services?per_page=0', { token: admin });
    assert.equal(refused.status, 400);
    assert.deepEqual(Object.keys(refused.json.fields), ['per_page']);
  });

  it('keeps the order of a deleted and re-created service, and of new names', async () => {
    await server.request('DELETE', '/api/services/app.bravo.x', { token: admin });
    await server.request('POST', '/api/services/app.aardvark.x');
    await server.request('POST', '/api/services/app.bravo.x');
    assert.deepEqual(names((await get('/api/services?q=app.&per_page=3')).services), ['app.aardvark.x', 'app.alpha.x', 'app.bravo.x']);
    await server.request('DELETE', '/api/services/app.aardvark.x', { token: admin });
    assert.equal((await server.request('DELETE', '/api/alarms/app-aardvark', { token: admin })).status, 200);
  });

  it('pages and filters alarms, keeping {alarms, definitions, now}', async () => {
    const all = await get('/api/alarms');
    assert.deepEqual(Object.keys(all).sort(), ['alarms', 'definitions', 'now']);
    assert.deepEqual(names(all.alarms), ['app-alpha', 'app-bravo', 'app-charlie', 'app-delta']);
    const errors = await get('/api/alarms?state=error&per_page=5');
    assert.deepEqual([names(errors.alarms), errors.total, errors.page], [['app-charlie'], 1, 1]);
    assert.deepEqual(names((await get('/api/alarms/app-charlie')).services), ['app.charlie.x']);
  });

  it('pages alert channels (the file and the API together) and the delivery log', async () => {
    for (const name of ['b-api', 'a-api']) {
      const created = await server.request('POST', '/api/alerts', {
        token: admin,
        json: { name, type: 'webhook', settings: { url: `${hook.url}/${name}` } },
      });
      assert.equal(created.status, 201);
    }
    const all = await get('/api/alerts');
    assert.deepEqual([names(all.alerts), all.total, all.per_page], [['a-api', 'b-api', 'from-file'], 3, null]);
    const page = await get('/api/alerts?per_page=1&page=2');
    assert.deepEqual([names(page.alerts), page.total], [['b-api'], 3]);
    assert.deepEqual(names((await get('/api/alerts?source=config')).alerts), ['from-file']);
    for (const name of ['a-api', 'b-api', 'from-file']) await server.request('POST', `/api/alerts/${name}/test`, { token: admin });
    const log = await get('/api/alerts/deliveries?per_page=2');
    assert.deepEqual([log.deliveries.length, log.total, log.per_page], [2, 3, 2]);
    const next = await get('/api/alerts/deliveries?per_page=2&page=2');
    assert.deepEqual(next.deliveries.length, 1);
    assert.ok(next.deliveries[0].id < log.deliveries[1].id, 'newest first, page after page');
    assert.equal((await get('/api/alerts/deliveries?limit=1')).deliveries.length, 1, 'limit still works');
  });

  it('pages tokens and maintenance windows, with their filters', async () => {
    for (const name of ['agent-1', 'agent-2']) {
      await server.request('POST', '/api/tokens', { token: admin, json: { name, type: 'agent' } });
    }
    const agents = await get('/api/tokens?type=agent&per_page=1');
    assert.deepEqual([agents.tokens.map((token: { name: string }) => token.name), agents.total], [['agent-1'], 2]);
    const revoked = (await get('/api/tokens?q=AGENT-2')).tokens[0];
    await server.request('DELETE', `/api/tokens/${revoked.id}`, { token: admin });
    assert.deepEqual(
      (await get('/api/tokens?state=revoked')).tokens.map((token: { name: string }) => token.name),
      ['agent-2'],
    );
    assert.equal((await get('/api/tokens?state=active&type=agent')).total, 1);

    const now = Date.now();
    const windows = [
      {
        name: 'on now',
        starts_at: new Date(now - 60_000).toISOString(),
        ends_at: new Date(now + 3_600_000).toISOString(),
        services: 'zzz.*',
      },
      { name: 'later', starts_at: new Date(now + 86_400_000).toISOString(), ends_at: new Date(now + 90_000_000).toISOString(), all: true },
    ];
    for (const window of windows)
      assert.equal((await server.request('POST', '/api/maintenance', { token: admin, json: window })).status, 201);
    const listed = await get('/api/maintenance?per_page=1');
    assert.deepEqual([listed.windows.map((window: { name: string }) => window.name), listed.total], [['on now'], 2]);
    assert.deepEqual(
      (await get('/api/maintenance?active=false')).windows.map((window: { name: string }) => window.name),
      ['later'],
    );
  });

  it('pages monitors as before', async () => {
    const listed = await get('/api/monitors');
    assert.deepEqual([listed.monitors, listed.page, listed.per_page, listed.total], [[], 1, 50, 0]);
  });
});
