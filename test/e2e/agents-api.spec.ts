import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { waitUntil } from '../support/wait.js';

/** A report as an agent sends it, `secondsAgo` before now by the agent's clock. */
function report(hostname: string, secondsAgo: number, figures: Record<string, unknown> = {}) {
  return {
    hostname,
    os: 'Debian GNU/Linux 12 (bookworm), kernel 6.1.0 x64',
    uptime_s: 3600,
    cpu: { percent: 12.5, load1: 0.2, load5: 0.1, load15: 0.1, cores: 4 },
    memory: { total: 8e9, used: 2e9, percent: 25 },
    swap: { total: 0, used: 0, percent: 0 },
    disks: [{ mount: '/', fs: 'ext4', size: 1e11, used: 4e10, percent: 40 }],
    net: [{ iface: 'eth0', rx_bps: 8000, tx_bps: 4000 }],
    collected_at: new Date(Date.now() - secondsAgo * 1000).toISOString(),
    interval: 30,
    ...figures,
  };
}

/** SPEC §5 through the API of a real server: what agents send and what admins see. */
describe('agents API', () => {
  let server: PulseServer;
  let admin: string;
  const agentToken = async (name: string) =>
    (await server.request('POST', '/api/tokens/', { token: admin, json: { name, type: 'agent' } })).json.token as string;

  before(async () => {
    server = await PulseServer.start();
    admin = server.adminToken!;
  });
  after(() => server.dispose());

  it('binds a token to the agent of its first report; whoami says which', async () => {
    const token = await agentToken('web1');
    assert.deepEqual((await server.request('GET', '/api/agent/whoami', { token })).json, { id: null, hostname: null });
    const sent = await server.request('POST', '/api/agent/metrics', { token, json: report('web1', 1) });
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual(
      { ...sent.json, agent_id: typeof sent.json.agent_id },
      { agent_id: 'number', accepted: 1, duplicates: 0, rejected: [] },
    );
    assert.deepEqual((await server.request('GET', '/api/agent/whoami', { token })).json, { id: sent.json.agent_id, hostname: 'web1' });
    const shown = (await server.request('GET', `/api/agents/${sent.json.agent_id}`, { token: admin })).json;
    assert.equal(shown.name, 'web1');
    assert.equal(shown.status, 'ok');
    assert.equal(shown.os, 'Debian GNU/Linux 12 (bookworm), kernel 6.1.0 x64');
    assert.deepEqual(shown.latest.disks, [{ mount: '/', fs: 'ext4', size: 1e11, used: 4e10, percent: 40 }]);
    assert.equal(shown.cpu_percent, 12.5);
    assert.ok(Math.abs(shown.clock_skew_ms) < 5000, `skew ${shown.clock_skew_ms} ms`);
  });

  it('refuses a report of another host with the same token (403), and admin tokens on the agent routes', async () => {
    const token = await agentToken('db1');
    assert.equal((await server.request('POST', '/api/agent/metrics', { token, json: report('db1', 1) })).status, 200);
    const other = await server.request('POST', '/api/agent/metrics', { token, json: report('web9', 1) });
    assert.equal(other.status, 403);
    assert.equal(other.json.error, 'wrong_agent');
    assert.match(other.json.message, /cannot report for host "web9"/);
    const asAdmin = await server.request('POST', '/api/agent/metrics', { token: admin, json: report('db1', 1) });
    assert.equal(asAdmin.status, 403);
    assert.equal((await server.request('GET', '/api/agents', { token })).status, 403, 'an agent token cannot list agents');
    assert.equal((await server.request('POST', '/api/agent/metrics', { json: report('db1', 1) })).status, 401);
  });

  it('refuses a bad report naming each field; in a batch only the bad sample is rejected', async () => {
    const token = await agentToken('app1');
    const bad = await server.request('POST', '/api/agent/metrics', {
      token,
      json: { ...report('app1', 1), cpu: { percent: 140 }, collected_at: 'yesterday', extra: 1 },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error, 'validation_failed');
    assert.deepEqual(Object.keys(bad.json.fields).sort(), ['collected_at', 'cpu.percent', 'extra']);
    assert.equal(bad.json.fields['cpu.percent'], 'must be a percent, 0 to 100');

    const batch = await server.request('POST', '/api/agent/metrics', {
      token,
      json: {
        samples: [report('app1', 60), { ...report('app1', 30), memory: { percent: 'lots' } }, report('app1', 1)],
        outbox: { queued: 0, dropped: 2 },
      },
    });
    assert.equal(batch.status, 200, batch.text);
    assert.equal(batch.json.accepted, 2);
    assert.deepEqual(batch.json.rejected, [{ index: 1, reason: 'memory.percent: must be a number' }]);
    assert.deepEqual((await server.request('GET', `/api/agents/${batch.json.agent_id}`, { token: admin })).json.outbox, {
      queued: 0,
      dropped: 2,
    });
    const envelope = await server.request('POST', '/api/agent/metrics', { token, json: { samples: 'all of them' } });
    assert.equal(envelope.status, 400);
    assert.deepEqual(Object.keys(envelope.json.fields), ['samples']);
  });

  it('stores a replayed batch once, and fills minute and hour buckets with averages and maxima', async () => {
    const token = await agentToken('batch1');
    const samples = [
      report('batch1', 90, { cpu: { percent: 20 } }),
      report('batch1', 60, { cpu: { percent: 60 } }),
      report('batch1', 2, { cpu: { percent: 10 } }),
    ];
    const first = await server.request('POST', '/api/agent/metrics', { token, json: { samples, outbox: { queued: 0, dropped: 0 } } });
    assert.deepEqual([first.json.accepted, first.json.duplicates], [3, 0]);
    const again = await server.request('POST', '/api/agent/metrics', { token, json: { samples, outbox: { queued: 0, dropped: 0 } } });
    assert.deepEqual([again.json.accepted, again.json.duplicates], [0, 3]);
    const history = await server.request(
      'GET',
      `/api/agents/${first.json.agent_id}/metrics?metric=cpu.percent&period=hour&since=${Date.now() - 7_200_000}`,
      {
        token: admin,
      },
    );
    assert.equal(history.status, 200, history.text);
    const points = history.json.metrics.flatMap((series: { points: { samples: number; avg: number; max: number }[] }) => series.points);
    assert.equal(
      points.reduce((sum: number, point: { samples: number }) => sum + point.samples, 0),
      3,
      'each report counted once',
    );
    assert.equal(Math.max(...points.map((point: { max: number }) => point.max)), 60);
    const minute = await server.request('GET', `/api/agents/${first.json.agent_id}/metrics?period=minute`, { token: admin });
    const metrics = new Set(
      minute.json.metrics.map(
        (series: { metric: string; series: string }) => `${series.metric}${series.series ? `{${series.series}}` : ''}`,
      ),
    );
    for (const expected of ['cpu.percent', 'memory.percent', 'disks.percent{/}', 'net.rx_bps{eth0}'])
      assert.ok(metrics.has(expected), expected);
    const wrong = await server.request('GET', `/api/agents/${first.json.agent_id}/metrics?metric=CPU%20Temperature`, { token: admin });
    assert.equal(wrong.status, 400);
    const noSuchDay = await server.request('GET', `/api/agents/${first.json.agent_id}/metrics?since=2026-02-30`, { token: admin });
    assert.deepEqual([noSuchDay.status, Object.keys(noSuchDay.json.fields)], [400, ['since']]);
    const nullFigure = await server.request('POST', '/api/agent/metrics', { token, json: report('batch1', 1, { cpu: null }) });
    assert.deepEqual([nullFigure.status, Object.keys(nullFigure.json.fields)], [400, ['cpu']]);
  });

  it('keeps the figures of other collectors (drop-ins) as extra figures with a history of their own', async () => {
    const token = await agentToken('extra1');
    const extra = [
      { metric: 'processes.total', value: 212 },
      { metric: 'processes.named', value: 4, labels: { name: 'nginx' } },
    ];
    const sent = await server.request('POST', '/api/agent/metrics', { token, json: report('extra1', 1, { extra }) });
    assert.equal(sent.status, 200, sent.text);
    assert.deepEqual((await server.request('GET', `/api/agents/${sent.json.agent_id}`, { token: admin })).json.latest.extra, extra);
    const history = await server.request('GET', `/api/agents/${sent.json.agent_id}/metrics?metric=processes.named,processes.total`, {
      token: admin,
    });
    assert.deepEqual(
      history.json.metrics.map((series: { metric: string; series: string; points: { avg: number }[] }) => [
        series.metric,
        series.series,
        series.points[0]!.avg,
      ]),
      [
        ['processes.named', 'name=nginx', 4],
        ['processes.total', '', 212],
      ],
    );
    const bad = await server.request('POST', '/api/agent/metrics', {
      token,
      json: report('extra1', 1, { extra: [{ metric: 'Processes', value: 1, labels: { 'Bad Label': 'x' } }] }),
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.json.fields).sort(), ['extra.0.labels', 'extra.0.metric']);
  });

  it('turns warning when a disk is over 90 % with the mount in the reason; per-agent thresholds override', async () => {
    const token = await agentToken('files1');
    const full = [
      { mount: '/', fs: 'ext4', size: 100, used: 40, percent: 40 },
      { mount: '/var', fs: 'ext4', size: 100, used: 93, percent: 93.2 },
    ];
    const sent = await server.request('POST', '/api/agent/metrics', { token, json: report('files1', 1, { disks: full }) });
    const id = sent.json.agent_id;
    let shown = (await server.request('GET', `/api/agents/${id}`, { token: admin })).json;
    assert.deepEqual([shown.status, shown.reason], ['warning', 'disk /var 93 % > 90 %']);
    const edited = await server.request('PUT', `/api/agents/${id}`, {
      token: admin,
      json: { name: 'File server', thresholds: { disk_percent: 95 } },
    });
    assert.equal(edited.status, 200, edited.text);
    assert.deepEqual(
      [edited.json.name, edited.json.status, edited.json.thresholds.disk_percent, edited.json.thresholds.memory_percent],
      ['File server', 'ok', 95, 90],
    );
    const badEdit = await server.request('PUT', `/api/agents/${id}`, {
      token: admin,
      json: { thresholds: { disk_percent: 150 }, alerts: ['nobody'] },
    });
    assert.equal(badEdit.status, 400);
    assert.deepEqual(Object.keys(badEdit.json.fields), ['thresholds.disk_percent']);
    shown = (await server.request('GET', `/api/agents?status=ok&q=file&sort=name`, { token: admin })).json;
    assert.deepEqual(
      shown.agents.map((agent: { id: number }) => agent.id),
      [id],
    );
    assert.equal(shown.agents[0].disk.mount, '/var');

    // The thresholds form: only the overrides change; each threshold says its default and whether it is overridden.
    const form = await server.request('PUT', `/api/agents/${id}/thresholds`, {
      token: admin,
      json: { memory_percent: '80', disk_percent: '' },
    });
    assert.equal(form.status, 200, form.text);
    assert.deepEqual([form.json.name, form.json.threshold_overrides, form.json.status], ['File server', { memory_percent: 80 }, 'warning']);
    assert.deepEqual(
      form.json.disks.map((disk: { mount: string; over_threshold: boolean }) => [disk.mount, disk.over_threshold]),
      [
        ['/', false],
        ['/var', true],
      ],
    );
    const rows = (await server.request('GET', `/api/agents/${id}/thresholds`, { token: admin })).json.thresholds;
    assert.deepEqual(
      rows.filter((row: { key: string }) => ['memory_percent', 'disk_percent'].includes(row.key)),
      [
        { key: 'memory_percent', value: 80, default: 90, overridden: true },
        { key: 'disk_percent', value: 90, default: 90, overridden: false },
      ],
    );
    const refused = await server.request('PUT', `/api/agents/${id}/thresholds`, {
      token: admin,
      json: { cpu_percent: 'lots', down_after_intervals: 1, disk_space: 5 },
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(Object.keys(refused.json.fields).sort(), ['cpu_percent', 'disk_space', 'down_after_intervals']);
    assert.deepEqual((await server.request('GET', `/api/agents/${id}`, { token: admin })).json.threshold_overrides, { memory_percent: 80 });
  });

  it('lists agents a page at a time with their version, state and reason, sorted worst first when asked', async () => {
    for (const [host, memory] of [
      ['page-a', 20],
      ['page-b', 95],
      ['page-c', 30],
    ] as const) {
      const token = await agentToken(host);
      const sent = await server.request('POST', '/api/agent/metrics', {
        token,
        json: report(host, 1, { memory: { total: 100, used: memory, percent: memory }, version: '0.1.0' }),
      });
      assert.equal(sent.status, 200, sent.text);
    }
    const first = (await server.request('GET', '/api/agents?q=page-&sort=status&per_page=2', { token: admin })).json;
    assert.deepEqual(
      [first.total, first.page, first.per_page, first.sort, first.agents.map((agent: { hostname: string }) => agent.hostname)],
      [3, 1, 2, 'status', ['page-b', 'page-a']],
    );
    assert.deepEqual([first.agents[0].status, first.agents[0].reason, first.agents[0].version], ['warning', 'memory 95 % > 90 %', '0.1.0']);
    const second = (await server.request('GET', '/api/agents?q=page-&sort=status&per_page=2&page=2', { token: admin })).json;
    assert.deepEqual(
      second.agents.map((agent: { hostname: string }) => agent.hostname),
      ['page-c'],
    );
    const badVersion = await server.request('POST', '/api/agent/metrics', {
      token: await agentToken('page-d'),
      json: report('page-d', 1, { version: 'one two' }),
    });
    assert.deepEqual([badVersion.status, Object.keys(badVersion.json.fields ?? {})], [400, ['version']]);
  });

  it('shows maintenance for an agent a window covers', async () => {
    const token = await agentToken('maint1');
    const id = (await server.request('POST', '/api/agent/metrics', { token, json: report('maint1', 1) })).json.agent_id;
    const window = await server.request('POST', '/api/maintenance', {
      token: admin,
      json: {
        name: 'patching',
        starts_at: new Date(Date.now() - 1000).toISOString(),
        ends_at: new Date(Date.now() + 3_600_000).toISOString(),
        agent_ids: [id],
      },
    });
    assert.equal(window.status, 201, window.text);
    await waitUntil(
      'the agent in maintenance',
      async () => (await server.request('GET', `/api/agents/${id}`, { token: admin })).json.status === 'maintenance',
    );
    assert.equal((await server.request('DELETE', `/api/maintenance/${window.json.id}`, { token: admin })).status, 200);
    await waitUntil(
      'the agent ok again',
      async () => (await server.request('GET', `/api/agents/${id}`, { token: admin })).json.status === 'ok',
    );
  });

  it('deletes an agent with its history and revokes its token', async () => {
    const token = await agentToken('gone1');
    const id = (await server.request('POST', '/api/agent/metrics', { token, json: report('gone1', 1) })).json.agent_id;
    const deleted = await server.request('DELETE', `/api/agents/${id}`, { token: admin });
    assert.equal(deleted.status, 200);
    assert.equal((await server.request('GET', `/api/agents/${id}`, { token: admin })).status, 404);
    assert.equal((await server.request('POST', '/api/agent/metrics', { token, json: report('gone1', 1) })).status, 401);
  });
});
