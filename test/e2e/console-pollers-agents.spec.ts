import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { ConsoleClient } from '../support/console-client.js';

/** An agent report as the agent sends it (SPEC §5), with figures the pages must show. */
function report(hostname: string, overrides: Record<string, unknown> = {}) {
  return {
    hostname,
    os: 'Debian GNU/Linux 12',
    version: '0.1.0',
    uptime_s: 3 * 86_400 + 4 * 3600,
    cpu: { percent: 42, load1: 0.5, load5: 0.4, load15: 0.3, cores: 4 },
    memory: { total: 8e9, used: 2e9, percent: 25 },
    disks: [
      { mount: '/', fs: 'ext4', size: 1e11, used: 4.5e10, percent: 45 },
      { mount: '/var', fs: 'ext4', size: 5e10, used: 3.5e10, percent: 70 },
    ],
    net: [{ iface: 'eth0', rx_bps: 125_000, tx_bps: 50_000 }],
    collected_at: new Date().toISOString(),
    interval: 30,
    ...overrides,
  };
}

/** SPEC §8: the Pollers and Agents pages over HTTP: fragments, forms with field errors, CSRF, sessions. */
describe('console pollers and agents pages over HTTP', () => {
  let server: PulseServer;
  let admin: string;
  let user: ConsoleClient;
  const api = (method: string, path: string, json?: unknown, token = admin) => server.request(method, path, { token, json });
  const fragment = (path: string, target: string) => user.request('GET', path, { headers: { 'hx-request': 'true', 'hx-target': target } });

  async function registerPoller(name: string, location: string) {
    const token = (await api('POST', '/api/tokens', { name: `poller ${name}`, type: 'poller' })).json.token as string;
    const registered = await api('POST', '/api/poller/register', { name, location, version: '0.1.0' }, token);
    assert.equal(registered.status, 200, registered.text);
    return { id: registered.json.id as number, token };
  }

  async function reportingAgent(hostname: string) {
    const token = (await api('POST', '/api/tokens', { name: `agent ${hostname}`, type: 'agent' })).json.token as string;
    const sent = await api('POST', '/api/agent/metrics', report(hostname), token);
    assert.equal(sent.status, 200, sent.text);
    return { id: sent.json.agent_id as number, token };
  }

  before(async () => {
    server = await PulseServer.start({ config: '[http]\nauth_failures_per_minute = 1000\n' });
    admin = server.adminToken!;
    user = new ConsoleClient(`${server.baseUrl}/`);
    assert.equal((await user.signIn(admin)).status, 303);
  });
  after(() => server.dispose());

  it('sends a visitor without a session to sign in, and lists both pages in the sidebar', async () => {
    const stranger = new ConsoleClient(`${server.baseUrl}/`);
    for (const path of ['pollers', 'agents', 'pollers/1', 'agents/1']) {
      const page = await stranger.request('GET', path);
      assert.equal(page.status, 303, path);
      assert.equal(page.headers.get('location'), `/sign-in?next=${encodeURIComponent(path)}`);
    }
    const htmx = await stranger.request('GET', 'pollers', { headers: { 'hx-request': 'true', 'hx-target': 'pollers-list' } });
    assert.equal(htmx.headers.get('hx-redirect'), '/sign-in?next=pollers');
    const refused = await stranger.request('POST', 'agents/1/thresholds', {
      form: { disk_percent: '50' },
      headers: { origin: stranger.origin },
    });
    assert.ok([303, 403].includes(refused.status), `a state change without a session is refused (${refused.status})`);

    const home = await user.request('GET', '');
    assert.match(
      home.text,
      /<div class="nav-heading">Infrastructure<\/div>\s*<ul>\s*<li><a href="\/agents">Agents<\/a><\/li>\s*<li><a href="\/pollers">Pollers<\/a><\/li>/,
    );
  });

  it('lists pollers with state, location, version, last seen and outbox, as a page or as the list fragment', async () => {
    const { id } = await registerPoller('Frankfurt Office', 'FFM');
    const page = await user.request('GET', 'pollers');
    assert.equal(page.status, 200);
    assert.match(page.text, /^<!doctype html>/);
    const row = new RegExp(`<tr id="poller-row-${id}"[\\s\\S]*?</tr>`).exec(page.text)?.[0] ?? '';
    assert.match(row, />Frankfurt Office</);
    assert.match(row, /<span class="target">FFM<\/span>/);
    assert.match(row, /<span class="state state-ok">Online<\/span>/);
    assert.match(row, /<td class="mono">0\.1\.0<\/td>/);
    assert.match(
      row,
      /<time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC">just now<\/time>/,
      'last seen, relative, exact on hover',
    );
    assert.match(row, /title="It has not sent a batch of results yet">—/);

    const list = await fragment('pollers', 'pollers-list');
    assert.equal(list.status, 200);
    assert.match(list.text, /^<section id="pollers-list"/);
    assert.ok(!list.text.includes('<html'));
    const restore = await user.request('GET', 'pollers', {
      headers: { 'hx-request': 'true', 'hx-target': 'pollers-list', 'hx-history-restore-request': 'true' },
    });
    assert.match(restore.text, /^<!doctype html>/);
    for (const response of [page, list, restore]) assert.match(response.headers.get('vary') ?? '', /HX-Request/);

    const searched = await user.request('GET', 'pollers?q=nowhere');
    assert.match(searched.text, /No poller’s name or location contains “nowhere”/);
  });

  it('edits a poller’s name and location and assigns monitors; refused fields come back next to their inputs with 422', async () => {
    const { id } = await registerPoller('Ludwigsburg', 'LuWi');
    const monitors: number[] = [];
    for (const name of ['intranet wiki', 'intranet mail', 'public shop']) {
      const created = await api('POST', '/api/monitors', { name, type: 'port', target: '127.0.0.1:9', interval: 3600 });
      monitors.push(created.json.id);
    }
    const page = await user.request('GET', `pollers/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<input id="poller-name" name="name"[^>]*value="Ludwigsburg"/);
    const choices = await user.request('GET', `pollers/${id}/monitor-choices?monitor_search=intranet&monitor_ids=${monitors[2]}`, {
      headers: { 'hx-request': 'true' },
    });
    assert.match(choices.text, /^<div id="poller-monitor-options"/);
    const names = [...choices.text.matchAll(/<span class="picker-name">([^<]*)<\/span>/g)].map((match) => match[1]);
    assert.deepEqual(names, ['public shop', 'intranet mail', 'intranet wiki'], 'the ticked one first, then the matches by name');
    assert.match(choices.text, new RegExp(`value="${monitors[2]}" checked`));

    const blank = await user.htmxPost(`pollers/${id}`, { name: ' ', location: 'LuWi' }, { 'hx-target': 'poller-form' });
    assert.equal(blank.status, 422);
    assert.match(blank.text, /^<form id="poller-form"/);
    assert.match(blank.text, /<p class="field-error" id="poller-name-error">This field is required.<\/p>/);
    const taken = await user.htmxPost(
      `pollers/${id}`,
      { name: 'frankfurt office', location: 'x'.repeat(201), monitor_ids: [String(monitors[0])] },
      { 'hx-target': 'poller-form' },
    );
    assert.equal(taken.status, 422);
    assert.match(taken.text, /<p class="field-error" id="poller-location-error">Must be at most 200 characters.<\/p>/);
    assert.match(taken.text, new RegExp(`value="${monitors[0]}" checked`), 'what was ticked stays ticked');
    const duplicate = await user.htmxPost(`pollers/${id}`, { name: 'Frankfurt Office', location: 'LuWi' }, { 'hx-target': 'poller-form' });
    assert.equal(duplicate.status, 422);
    assert.match(duplicate.text, /id="poller-name-error">Poller \d+ is already called &quot;Frankfurt Office&quot;.<\/p>/);
    const badIds = await user.htmxPost(`pollers/${id}`, { name: 'Ludwigsburg', monitor_ids: ['1; drop'] }, { 'hx-target': 'poller-form' });
    assert.equal(badIds.status, 422);
    assert.match(badIds.text, /id="poller-monitors-error">Must be a list of monitor ids.<\/p>/);
    assert.equal((await api('GET', `/api/pollers/${id}`)).json.name, 'Ludwigsburg', 'nothing refused was stored');

    const saved = await user.request('POST', `pollers/${id}`, {
      form: { _csrf: user.csrfToken, name: 'Ludwigsburg Lab', location: 'LB', monitor_ids: [String(monitors[0]), String(monitors[1])] },
      headers: { origin: user.origin },
    });
    assert.equal(saved.status, 303, 'a plain form works without JavaScript');
    assert.equal(saved.headers.get('location'), `/pollers/${id}`);
    const stored = (await api('GET', `/api/pollers/${id}`)).json;
    assert.equal(stored.name, 'Ludwigsburg Lab');
    assert.equal(stored.location, 'LB');
    assert.deepEqual(stored.monitor_ids, [monitors[0], monitors[1]]);
    assert.deepEqual((await api('GET', `/api/monitors/${monitors[0]}`)).json.pollers, [id]);
    const after = await user.request('GET', `pollers/${id}`);
    assert.match(after.text, /<dt>Monitors<\/dt><dd>2<\/dd>/);

    const forged = await user.request('POST', `pollers/${id}`, {
      form: { name: 'forged', location: 'LB' },
      headers: { 'hx-request': 'true', origin: user.origin },
    });
    assert.equal(forged.status, 403, 'without the CSRF token');
    const crossSite = await user.htmxPost(`pollers/${id}/delete`, {}, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403, 'from another origin');
    assert.equal((await api('GET', `/api/pollers/${id}`)).json.name, 'Ludwigsburg Lab');

    const confirm = await user.request('GET', `pollers/${id}/delete`);
    assert.match(confirm.text, /<h1>Delete the poller “Ludwigsburg Lab”\?<\/h1>/);
    const deleted = await user.htmxPost(`pollers/${id}/delete`, {});
    assert.equal(deleted.headers.get('hx-redirect'), '/pollers');
    assert.equal((await api('GET', `/api/pollers/${id}`)).status, 404);
    assert.deepEqual((await api('GET', `/api/monitors/${monitors[0]}`)).json.pollers, [], 'its source left the monitors');
    assert.equal((await user.request('GET', `pollers/${id}`)).status, 404);
    for (const monitor of monitors) await api('DELETE', `/api/monitors/${monitor}`);
  });

  it('lists agents with state, reason, last report and bars, and shows an agent’s figures, disks, load, network and charts', async () => {
    const { id } = await reportingAgent('web-01');
    const list = await user.request('GET', 'agents');
    const row = new RegExp(`<tr id="agent-row-${id}"[\\s\\S]*?</tr>`).exec(list.text)?.[0] ?? '';
    assert.match(row, />web-01</);
    assert.match(row, /<span class="state state-ok">OK<\/span>/);
    assert.match(row, /aria-label="CPU 42 %, warning above 90 %"/);
    assert.match(row, /aria-label="Memory 25 %, warning above 90 %"/);
    assert.match(row, /aria-label="Disk \/var 70 %, warning above 90 %"/, 'the fullest disk');
    assert.match(row, /<rect class="usage-fill" x="0" y="0" width="42"/, 'the bar is as long as the figure');
    const listFragment = await fragment('agents?state=ok', 'agents-list');
    assert.match(listFragment.text, /^<section id="agents-list"/);
    assert.match(listFragment.headers.get('vary') ?? '', /HX-Request/);
    assert.match((await user.request('GET', 'agents?state=down')).text, /No agent matches this filter/);

    const page = await user.request('GET', `agents/${id}`);
    assert.equal(page.status, 200);
    const figures = /<section id="agent-figures"[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';
    assert.match(figures, /CPU <span class="muted">\(4 cores\)<\/span>/);
    assert.match(figures, /Memory <span class="muted">\(2 GB of 8 GB\)<\/span>/);
    assert.match(figures, /<span class="mono">\/var<\/span> <span class="muted">\(ext4, 35 GB of 50 GB\)<\/span>/);
    assert.match(figures, /0\.50 \/ 0\.40 \/ 0\.30/);
    assert.match(figures, /<dt>Uptime<\/dt><dd>3 d 4 h<\/dd>/);
    assert.match(figures, /<td class="mono">eth0<\/td><td class="num">1 Mbit\/s<\/td><td class="num">400 kbit\/s<\/td>/);
    assert.match(page.text, /<svg class="line-chart"[^>]*aria-labelledby="agent-usage-chart-title/);
    assert.match(page.text, /CPU: <span class="muted">min 42 %, average 42 %, max 42 %<\/span>/);
    assert.match(page.text, /\/: <span class="muted">min 45 %/);
    const summary = await fragment(`agents/${id}`, 'agent-summary');
    assert.match(summary.text, /^<section id="agent-summary"/);
    const charts = await fragment(`agents/${id}?range=7d`, 'agent-charts');
    assert.match(charts.text, /^<section id="agent-charts"/);
    assert.match(charts.text, /<a href="\/agents\/\d+\?range&#x3D;7d"[^>]*aria-current="true"/);
  });

  it('refuses bad thresholds next to their fields (422), saves good ones, and the state follows', async () => {
    const { id } = await reportingAgent('db-02');
    const bad = await user.htmxPost(
      `agents/${id}/thresholds`,
      { disk_percent: '150', cpu_minutes: 'soon', memory_percent: '' },
      { 'hx-target': 'agent-thresholds' },
    );
    assert.equal(bad.status, 422);
    assert.match(bad.text, /^<form id="agent-thresholds"/);
    assert.match(bad.text, /<p class="field-error" id="threshold-disk_percent-error">Must be a percent, 1 to 100.<\/p>/);
    assert.match(bad.text, /<p class="field-error" id="threshold-cpu_minutes-error">Must be a whole number of minutes.<\/p>/);
    assert.match(bad.text, /id="threshold-disk_percent" name="disk_percent"[^>]*value="150"/, 'what was typed stays');
    assert.deepEqual((await api('GET', `/api/agents/${id}`)).json.threshold_overrides, {});

    const saved = await user.htmxPost(
      `agents/${id}/thresholds`,
      { disk_percent: '60', cpu_minutes: '', range: '24h' },
      { 'hx-target': 'agent-thresholds' },
    );
    assert.equal(saved.headers.get('hx-redirect'), `/agents/${id}?range=24h`);
    const agent = (await api('GET', `/api/agents/${id}`)).json;
    assert.deepEqual(agent.threshold_overrides, { disk_percent: 60 });
    assert.equal(agent.status, 'warning');
    const page = await user.request('GET', `agents/${id}`);
    assert.match(page.text, /<p class="summary-message" id="agent-reason">disk \/var 70 % &gt; 60 %<\/p>/);
    assert.match(page.text, /aria-label="Disk \/var 70 %, warning above 60 %"/);
    assert.match(page.text, /<span class="tag" title="Differs from the default, 90">set<\/span>/);

    const forged = await user.request('POST', `agents/${id}/thresholds`, {
      form: { disk_percent: '99' },
      headers: { origin: user.origin },
    });
    assert.equal(forged.status, 403);
    assert.deepEqual((await api('GET', `/api/agents/${id}`)).json.threshold_overrides, { disk_percent: 60 });

    const deleted = await user.request('POST', `agents/${id}/delete`, {
      form: { _csrf: user.csrfToken },
      headers: { origin: user.origin },
    });
    assert.equal(deleted.status, 303);
    assert.equal(deleted.headers.get('location'), '/agents');
    assert.equal((await api('GET', `/api/agents/${id}`)).status, 404);
  });
});
