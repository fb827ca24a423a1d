import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipUnlessInstalled } from '../support/debian-peers.js';
import { canUseNamespaces } from '../support/netns.js';
import { eventually, INTRANET, PollerLab } from '../support/poller-lab.js';

interface SourceView {
  source: string;
  name: string;
  location: string | null;
  status: string;
  message: string;
}

/**
 * The seed's picture (SPEC §3, §4): a private web server only the pollers' networks reach, checked from
 * the server (Public) and two pollers, "Frankfurt Office" (FFM) and "Ludwigsburg" (LuWi), each the built
 * executable in its own network namespace.
 */
describe(
  'pollers in their own networks',
  { skip: (!canUseNamespaces && 'needs root for network namespaces') || skipUnlessInstalled('ip', 'iptables') },
  () => {
    let lab: PollerLab;
    let intranet: number;
    const monitor = (id: number) => lab.api('GET', `/api/monitors/${id}`).then((answer) => answer.json);
    const sourcesOf = (view: { sources: SourceView[] }) =>
      Object.fromEntries(view.sources.map((source) => [source.name, source.status])) as Record<string, string>;
    const whenStatus = (id: number, status: string, timeoutMs = 90_000) =>
      eventually(
        `monitor ${id} to be ${status}`,
        async () => {
          const view = await monitor(id);
          return view.status === status ? view : undefined;
        },
        timeoutMs,
      );

    before(async () => {
      lab = await PollerLab.start([
        { key: 'ffm', name: 'Frankfurt Office', location: 'FFM' },
        { key: 'luwi', name: 'Ludwigsburg', location: 'LuWi' },
      ]);
      await lab.startPollers();
    });
    after(() => lab?.dispose());

    it('the private host: Public down, FFM up, LuWi up, aggregate warning', async () => {
      const [ffm, luwi] = [lab.poller('ffm').id, lab.poller('luwi').id];
      const created = await lab.api('POST', '/api/monitors', {
        name: 'Intranet',
        type: 'http',
        target: INTRANET,
        interval: 10,
        timeout: 5,
        retries: 0,
        pollers: [ffm, luwi],
      });
      assert.equal(created.status, 201, created.text);
      intranet = created.json.id;
      const view = await eventually('every source to have a result', async () => {
        const current = await monitor(intranet);
        return current.sources.every((source: SourceView) => source.status !== 'unknown') ? current : undefined;
      });
      assert.deepEqual(
        view.sources.map((source: SourceView) => [source.source, source.name, source.location, source.status]),
        [
          ['public', 'Public', null, 'down'],
          [`poller:${ffm}`, 'Frankfurt Office', 'FFM', 'up'],
          [`poller:${luwi}`, 'Ludwigsburg', 'LuWi', 'up'],
        ],
      );
      assert.match(view.sources[0].message, /unreachable/);
      assert.equal(view.sources[1].message, 'HTTP 200');
      assert.equal((await whenStatus(intranet, 'warning')).status, 'warning');
    });

    it('with a quorum the verdicts follow SPEC §3: down only when that many sources are down', async () => {
      const settings = (await monitor(intranet)) as Record<string, unknown>;
      const put = (quorum: number | null) =>
        lab
          .api('PUT', `/api/monitors/${intranet}`, { ...pick(settings), quorum })
          .then((answer) => assert.equal(answer.status, 200, answer.text));
      await put(1);
      await whenStatus(intranet, 'down');
      await put(2);
      await whenStatus(intranet, 'warning');
      // LuWi loses the private host too: two of three down reach the quorum.
      const luwi = lab.poller('luwi');
      const cutOff = (action: '-A' | '-D') =>
        lab.lab.exec(luwi.namespace, 'iptables', [
          action,
          'OUTPUT',
          '-d',
          '198.19.10.1',
          '-p',
          'tcp',
          '-j',
          'REJECT',
          '--reject-with',
          'tcp-reset',
        ]);
      await cutOff('-A');
      const down = await whenStatus(intranet, 'down');
      assert.deepEqual(sourcesOf(down), { Public: 'down', 'Frankfurt Office': 'up', Ludwigsburg: 'down' });
      await cutOff('-D');
      await whenStatus(intranet, 'warning');
      await put(null);
    });

    it('a poller token cannot register as another poller, report for monitors not assigned to it, or reach admin routes', async () => {
      const [ffm, luwi] = [lab.poller('ffm'), lab.poller('luwi')];
      const luwiOnly = await lab.api('POST', '/api/monitors', { name: 'LuWi printer', type: 'http', target: INTRANET, pollers: [luwi.id] });
      assert.equal(luwiOnly.status, 201, luwiOnly.text);
      const asLuwi = await lab.api('POST', '/api/poller/register', { name: 'Ludwigsburg', location: 'LuWi' }, ffm.token);
      assert.equal(asLuwi.status, 403);
      const report = await lab.api(
        'POST',
        '/api/poller/results',
        {
          results: [
            { monitor_id: luwiOnly.json.id, status: 'down', latency_ms: null, message: 'forged', checked_at: new Date().toISOString() },
          ],
        },
        ffm.token,
      );
      assert.equal(report.status, 200);
      assert.deepEqual(report.json, {
        accepted: 0,
        duplicates: 0,
        rejected: [{ index: 0, reason: `monitor ${luwiOnly.json.id} is not assigned to this poller` }],
      });
      const tasks = await lab.api('GET', '/api/poller/tasks', undefined, ffm.token);
      assert.ok(!tasks.json.tasks.some((task: { id: number }) => task.id === luwiOnly.json.id), "FFM never sees LuWi's tasks");
      assert.equal((await lab.api('GET', `/api/pollers/${luwi.id}`, undefined, ffm.token)).status, 403);
      assert.equal((await lab.api('PUT', `/api/poller/${luwi.id}/assign`, { monitor_ids: [] }, ffm.token)).status, 403);
      await lab.api('DELETE', `/api/monitors/${luwiOnly.json.id}`);
    });

    it('killing a poller turns its sources unknown and sends one offline alert; back, one recovery', async () => {
      const ffm = lab.poller('ffm');
      await ffm.kill();
      const offline = await eventually(
        'FFM to be judged offline',
        async () => {
          const poller = (await lab.api('GET', `/api/pollers/${ffm.id}`)).json;
          return poller.state === 'offline' ? poller : undefined;
        },
        180_000,
      );
      assert.equal(offline.active, false);
      const view = await monitor(intranet);
      assert.deepEqual(sourcesOf(view), { Public: 'down', 'Frankfurt Office': 'unknown', Ludwigsburg: 'up' });
      assert.equal(view.status, 'warning', 'the unknown source is left out: Public down, LuWi up');
      await eventually('the offline alert', async () => (lab.pollerAlerts().length >= 1 ? true : undefined), 30_000);

      await ffm.start();
      await eventually('FFM back online', async () =>
        (await lab.api('GET', `/api/pollers/${ffm.id}`)).json.state === 'online' ? true : undefined,
      );
      await eventually('FFM source up again', async () =>
        sourcesOf(await monitor(intranet))['Frankfurt Office'] === 'up' ? true : undefined,
      );
      await eventually('the recovery alert', async () => (lab.pollerAlerts().length >= 2 ? true : undefined), 30_000);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const alerts = lab.pollerAlerts();
      assert.deepEqual(
        alerts.map((alert) => [alert.kind, alert.name, alert.to_state]),
        [
          ['poller', 'poller Frankfurt Office', 'offline'],
          ['poller', 'poller Frankfurt Office', 'online'],
        ],
        'one offline alert, one recovery',
      );
      assert.match(alerts[0]!.message, /^poller Frankfurt Office offline: not heard from since /);
    });
  },
);

/** The monitor's settings as PUT takes them. */
function pick(view: Record<string, unknown>) {
  const { name, type, target, interval, timeout, retries, pollers, alerts, options } = view;
  return { name, type, target, interval, timeout, retries, pollers, alerts, options };
}
