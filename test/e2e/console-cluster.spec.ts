import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { ConsoleClient } from '../support/console-client.js';

/**
 * The console's Cluster page on one server (SQLite): the server listed as this one, active, deciding all
 * 64 shards, with when it was last heard from; its configured name shown as text, never as markup. The
 * page with three servers and one killed is tested through nginx in cluster.spec.ts.
 */
describe('console Cluster page, one server on SQLite (SPEC §12)', () => {
  let server: PulseServer;
  let console: ConsoleClient;
  const NAME = 'edge<script>alert(1)</script>&"one"';

  before(async () => {
    server = await PulseServer.start({ config: `[cluster]\nname = '${NAME}'\n` });
    console = new ConsoleClient(`${server.baseUrl}/`);
    assert.equal((await console.signIn(server.adminToken!)).status, 303);
  });
  after(() => server.dispose());

  it('lists this server, active, deciding every shard, with when it was last heard from', async () => {
    const page = await console.request('GET', 'cluster');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>Cluster<\/h1>/);
    assert.match(page.text, /runs on SQLite, which serves one server/);
    const rows = [...page.text.matchAll(/<tr id="server-[^"]+"[^>]*>([\s\S]*?)<\/tr>/g)].map((match) => match[1]!);
    assert.equal(rows.length, 1, 'one server');
    const row = rows[0]!;
    assert.match(row, /title="This page was served by this server">this one</);
    assert.match(row, /state-\w+">Active</);
    assert.match(row, /64 shards/);
    assert.match(row, /<time datetime="\d{4}-\d\d-\d\dT[^"]+"/, 'when it was last heard from');
    assert.match(row, new RegExp(`pid ${server.process.pid}`));
  });

  it('shows the configured name as text', async () => {
    const page = await console.request('GET', 'cluster');
    assert.ok(!page.text.includes('<script>alert(1)</script>'), 'the name is not markup');
    assert.match(page.text, /edge&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;(&quot;|&#x22;|&#34;)one(&quot;|&#x22;|&#34;)/);
  });

  it('is reached from the sidebar, and refreshes its list as a fragment', async () => {
    const dashboard = await console.request('GET', '');
    assert.match(dashboard.text, /href="[^"]*cluster"[^>]*>[\s\S]{0,200}?Cluster/);
    const fragment = await console.request('GET', 'cluster', { headers: { 'hx-request': 'true', 'hx-target': 'cluster-servers' } });
    assert.equal(fragment.status, 200);
    assert.match(fragment.text, /^\s*<section id="cluster-servers"/);
    assert.ok(!fragment.text.includes('<html'), 'only the list, not the page');
  });
});
