import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { HttpReceiver } from '../peers/http-receiver.js';
import { ClusterLab } from '../support/cluster-lab.js';
import { ConsoleClient } from '../support/console-client.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVER_ENTRY } from '../peers/pulse-server.js';
import { startProcess, type TestProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const POLLER_ENTRY = path.join(path.dirname(SERVER_ENTRY), 'poller.js');
const POLLER_MONITORS = 3;

/**
 * SPEC §12, the test of issue 14: three servers on one PostgreSQL behind nginx, with HTTP beats (through
 * nginx), statsd beats (to each server), monitors checking a target that counts them and alerts to a
 * webhook; the busiest server is killed with SIGKILL. Nothing acknowledged is lost, nothing is judged or
 * sent twice, checks go on once per interval, the console keeps working through nginx.
 */
const MONITORS = 6;
const INTERVAL_S = 5;
const HTTP_SERVICES = 6;
const UDP_SERVICES = 6;
const HTTP_TIMEOUT_S = 10;
const UDP_TIMEOUT_S = 12;
const AGENTS = 3;
const AGENT_INTERVAL_S = 5;

/** A report as an agent sends it (SPEC §5), collected now. */
function agentReport(hostname: string) {
  return {
    hostname,
    os: 'Debian GNU/Linux 12 (bookworm)',
    uptime_s: 3600,
    cpu: { percent: 10, load1: 0.1, load5: 0.1, load15: 0.1, cores: 2 },
    memory: { total: 8e9, used: 2e9, percent: 25 },
    disks: [{ mount: '/', fs: 'ext4', size: 1e11, used: 4e10, percent: 40 }],
    collected_at: new Date().toISOString(),
    interval: AGENT_INTERVAL_S,
  };
}

describe(
  'three servers on one PostgreSQL, the busiest killed (SPEC §12)',
  { skip: !ClusterLab.available() && 'needs the test PostgreSQL' },
  () => {
    let lab: ClusterLab;
    let hook: HttpReceiver;
    let target: HttpReceiver;
    let broken: HttpReceiver;
    let nginxUrl: string;
    let udp: dgram.Socket;
    const started = Date.now();
    /** Per HTTP service: when the last beat that was answered 200 was sent. */
    const lastAcked = new Map<string, number>();
    /** Per HTTP service: every beat sent, when, and when it was answered 200 (null: no such answer). */
    const beatsSent = new Map<string, { sent: number; answered: number | null }[]>();
    /** Per agent host: its id and the collected_at of its last report answered as stored. */
    const agents = new Map<string, { id: number; collectedAt: string }>();
    /** Per agent host: reports answered as stored, and reports sent without that answer (maybe stored, maybe not). */
    const agentReports = new Map<string, { stored: number; uncertain: number }>();
    let killedIndex = -1;
    let killedAt = 0;
    let takenOverAt = 0;
    let beating = true;
    let udpTargets: number[] = [];
    const loops: Promise<void>[] = [];
    /** A poller (from source) talking to the servers through nginx; its monitors check `pollerTarget`. */
    let poller: TestProcess | null = null;
    let pollerDir = '';
    let pollerConf = '';
    let pollerId = 0;
    let pollerTarget: HttpReceiver;
    const pollerMonitors: number[] = [];

    before(async () => {
      hook = await HttpReceiver.start();
      target = await HttpReceiver.start();
      broken = await HttpReceiver.start();
      broken.status = 503;
      pollerTarget = await HttpReceiver.start();
      const port = await ClusterLab.freePort();
      nginxUrl = `http://127.0.0.1:${port}/pulse/`;
      lab = await ClusterLab.start({
        servers: 3,
        config: [
          `public_url = "${nginxUrl}"`,
          '[http]',
          'trusted_proxies = ["127.0.0.1"]',
          'auth_failures_per_minute = 1000',
          '[alerts.hook]',
          `webhook = "${hook.url}/hook"`,
          'default = true',
          '[alerting]',
          'storm_threshold = 1000',
          '[[alarms]]',
          'name = "http-$name"',
          'pattern = "http.$name.*"',
          '[[alarms]]',
          'name = "udp-$name"',
          'pattern = "udp.$name.*"',
        ].join('\n'),
      });
      await lab.startNginx(port, '/pulse/');
      udp = dgram.createSocket('udp4');
      udpTargets = lab.servers.map((server) => server!.udpPort);
      const token = (
        await lab.server(0).request('POST', '/api/tokens/', { token: lab.adminToken, json: { name: 'lab poller', type: 'poller' } })
      ).json.token as string;
      pollerDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-cluster-poller-'));
      const conf = path.join(pollerDir, 'poller.conf');
      writeFileSync(
        conf,
        [
          `server = "${nginxUrl}"`,
          `token = "${token}"`,
          'name = "Lab"',
          'location = "FFM"',
          `data_dir = "${path.join(pollerDir, 'data')}"`,
        ].join('\n'),
        { mode: 0o600 },
      );
      pollerConf = conf;
      // Registered first (its id is what monitors name), started again once it has monitors (it fetches its tasks at start).
      poller = startPoller();
      pollerId = await waitUntil(
        'the poller registered',
        async () => {
          const { pollers } = (await lab.server(0).request('GET', '/api/pollers', { token: lab.adminToken })).json;
          return (pollers as { id: number }[])[0]?.id;
        },
        60_000,
      );
      await poller.stop();
    });

    const startPoller = () =>
      startProcess(process.execPath, [POLLER_ENTRY, '--config', pollerConf, '--debug'], { cwd: pollerDir, label: 'poller' });

    after(async () => {
      beating = false;
      await Promise.allSettled(loops);
      udp?.close();
      await poller?.stop();
      await lab?.dispose();
      await Promise.all([hook?.stop(), target?.stop(), broken?.stop(), pollerTarget?.stop()]);
      if (pollerDir) rmSync(pollerDir, { recursive: true, force: true });
    });

    const api = async (method: string, path: string, json?: unknown) => {
      const response = await fetch(new URL(path.replace(/^\//, ''), nginxUrl), {
        method,
        headers: { authorization: `Bearer ${lab.adminToken}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined, text };
    };
    const alerts = () => hook.requests.map((request) => JSON.parse(request.body) as Record<string, any>);

    it('spreads the work: every server decides a share of the 64 shards', async () => {
      const { servers } = await lab.overview();
      assert.deepEqual(servers.map((server) => [server.name, server.state]).sort(), [
        ['srv1', 'active'],
        ['srv2', 'active'],
        ['srv3', 'active'],
      ]);
      assert.deepEqual(servers.map((server) => server.shards).sort(), [21, 21, 22]);
    });

    it('takes monitors, poller results, HTTP beats, statsd beats and agent reports on any server', async () => {
      for (let index = 1; index <= POLLER_MONITORS; index++) {
        const created = await api('POST', '/api/monitors', {
          name: `via the poller ${index}`,
          type: 'http',
          target: `${pollerTarget.url}/p${index}`,
          interval: INTERVAL_S,
          timeout: 3,
          pollers: [pollerId],
        });
        assert.equal(created.status, 201, created.text);
        pollerMonitors.push(created.json.id);
      }
      poller = startPoller();
      for (let index = 1; index <= MONITORS; index++) {
        const created = await api('POST', '/api/monitors', {
          name: `web ${index}`,
          type: 'http',
          target: `${target.url}/m${index}`,
          interval: INTERVAL_S,
          timeout: 3,
        });
        assert.equal(created.status, 201, created.text);
      }
      assert.equal(
        (
          await api('POST', '/api/monitors', {
            name: 'broken',
            type: 'http',
            target: `${broken.url}/down`,
            interval: INTERVAL_S,
            timeout: 3,
          })
        ).status,
        201,
      );
      // HTTP beats through nginx (spread over the servers) until the kill; each answered beat is remembered.
      loops.push(
        (async () => {
          while (beating && killedAt === 0) {
            for (let index = 1; index <= HTTP_SERVICES && killedAt === 0; index++) {
              const name = `http.s${index}.health`;
              const sent = Date.now();
              const beat = { sent, answered: null as number | null };
              beatsSent.set(name, [...(beatsSent.get(name) ?? []), beat]);
              const response = await fetch(new URL(`api/services/${name}?timeout=${HTTP_TIMEOUT_S}`, nginxUrl), { method: 'POST' }).catch(
                () => null,
              );
              await response?.text();
              if (response?.status === 200) {
                lastAcked.set(name, sent);
                beat.answered = Date.now();
              }
            }
            // Beats of one service well over 1 s apart: each is kept in its recorded beats (closer ones are not).
            await new Promise((resolve) => setTimeout(resolve, 1500));
          }
        })(),
      );
      // statsd beats to every server in turn, on and on (to the killed one only until it is killed).
      loops.push(
        (async () => {
          let turn = 0;
          while (beating) {
            for (let index = 1; index <= UDP_SERVICES; index++) {
              const alive = udpTargets.filter((_, server) => server !== killedIndex);
              const port = alive[turn++ % alive.length]!;
              udp.send(`udp.s${index}.health.beat:1|c\nudp.s${index}.health.timeout:${UDP_TIMEOUT_S}|g\n`, port, '127.0.0.1');
            }
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        })(),
      );
      // Agents report through nginx until the kill; each report answered as stored is remembered.
      const agentTokens: [string, string][] = [];
      for (let index = 1; index <= AGENTS; index++) {
        const token = (await api('POST', '/api/tokens/', { name: `agent ${index}`, type: 'agent' })).json.token as string;
        agentTokens.push([`host${index}`, token]);
      }
      loops.push(
        (async () => {
          while (beating && killedAt === 0) {
            for (const [hostname, token] of agentTokens) {
              const report = agentReport(hostname);
              const response = await fetch(new URL('api/agent/metrics', nginxUrl), {
                method: 'POST',
                headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                body: JSON.stringify(report),
              }).catch(() => null);
              const answer = response?.status === 200 ? ((await response.json()) as { agent_id: number; accepted: number }) : null;
              await response?.body?.cancel().catch(() => undefined);
              const counts = agentReports.get(hostname) ?? { stored: 0, uncertain: 0 };
              agentReports.set(hostname, counts);
              if (answer?.accepted === 1) {
                agents.set(hostname, { id: answer.agent_id, collectedAt: report.collected_at });
                counts.stored++;
              } else counts.uncertain++;
            }
            await new Promise((resolve) => setTimeout(resolve, 2000));
          }
        })(),
      );
      await waitUntil(
        'every service known to every server, in state ok',
        async () => {
          for (const server of lab.servers) {
            const { services } = (await server!.request('GET', '/api/services', { token: lab.adminToken })).json;
            const ok = (services as { name: string; state: string }[]).filter((service) => service.state === 'ok');
            if (ok.length < HTTP_SERVICES + UDP_SERVICES) return false;
          }
          return true;
        },
        60_000,
      );
    });

    let console: ConsoleClient;

    it('signs in to the console through nginx (sessions are shared by every server)', async () => {
      console = new ConsoleClient(nginxUrl);
      const signedIn = await console.signIn(lab.adminToken);
      assert.equal(signedIn.status, 303);
      for (let attempt = 0; attempt < 6; attempt++) assert.match((await console.request('GET', 'tokens')).text, /<h1>Tokens<\/h1>/);
    });

    it('kills the busiest server (SIGKILL); the others take its work over within 30 s', async () => {
      // Let monitors run and alerts go out for a while first.
      await waitUntil(
        'the broken monitor down, alerted',
        () => alerts().some((alert) => alert.kind === 'monitor' && alert.to_state === 'down'),
        90_000,
      );
      await waitUntil(
        'the poller sending results of each of its monitors',
        () =>
          new Set([...poller!.stderr.matchAll(/queued result of monitor (\d+)/g)].map((match) => match[1])).size === POLLER_MONITORS &&
          /sent \d+ results/.test(poller!.stderr),
        90_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
      killedIndex = await lab.busiest();
      killedAt = Date.now();
      await lab.kill(killedIndex);
      lab.forget(killedIndex);
      await Promise.all([loops[0], loops[2]]);
      await lab.waitBalanced(2, 30_000);
      takenOverAt = Date.now();
      const { servers } = await lab.overview();
      assert.equal(servers.find((server) => server.name === lab.name(killedIndex))?.state, 'unreachable');
      assert.ok(takenOverAt - killedAt < 30_000, `taken over after ${takenOverAt - killedAt} ms`);
    });

    it('loses no acknowledged HTTP beat: each service shows its last answered beat, then goes to error once, judged once', async () => {
      // Every server shows it once the new holder has taken the inbox in and the others have read its save back.
      for (const [name, sent] of lastAcked) {
        let lastBeat = 0;
        await waitUntil(
          `${name}: its last answered beat (sent ${sent}) on every server`,
          async () => {
            for (const server of lab.servers) {
              if (!server) continue;
              lastBeat = (await server.request('GET', `/api/services/${name}`, { token: lab.adminToken })).json.service.last_beat;
              if (lastBeat < sent) return false;
            }
            return true;
          },
          15_000,
        ).catch((error: Error) => assert.fail(`${error.message}: last beat ${lastBeat}`));
      }
      // Every answered beat is among the service's recorded beats (the last 21, taken before and across the
      // kill), and every recorded beat is one that was sent: none lost, none made up.
      for (const [name, sent] of beatsSent) {
        const { service } = (await api('GET', `/api/services/${name}?details=1`)).json;
        const history = service.beat_history as number[];
        assert.ok(history.length >= 3, `${name}: ${history.length} recorded beats`);
        const kept = sent.filter((beat) => beat.answered !== null && beat.answered >= history[0]!);
        // A beat received under 1 s after the one before is not recorded (Lovebeat's rule): that one stands for it.
        const missing = kept.filter((beat) => !history.some((at) => at > beat.sent - 1000 && at <= beat.answered!));
        assert.deepEqual(missing, [], `${name}: answered beats not recorded; recorded ${history.join(', ')}`);
        const madeUp = history.filter((at) => !sent.some((beat) => at >= beat.sent && at <= (beat.answered ?? Infinity)));
        assert.deepEqual(madeUp, [], `${name}: recorded beats never sent`);
        assert.ok(kept.some((beat) => beat.sent < killedAt - 2000), `${name}: the recorded beats reach back before the kill`);
      }
      await waitUntil(
        'every HTTP service in error (no more beats since the kill)',
        async () => {
          const { services } = (await api('GET', '/api/services')).json as { services: { name: string; state: string }[] };
          return services.filter((service) => service.name.startsWith('http.') && service.state === 'error').length === HTTP_SERVICES;
        },
        60_000,
      );
      await waitUntil(
        'the alarms raised',
        () => alerts().filter((alert) => /^http-/.test(alert.name) && alert.to_state === 'error').length >= HTTP_SERVICES,
        30_000,
      );
      const judged = [0, 1, 2]
        .flatMap((index) => lab.eventLog(index).map((entry): Record<string, unknown> => ({ ...entry, server: lab.name(index) })))
        .filter((entry) => entry.kind === 'service' && String(entry.name).startsWith('http.') && entry.to === 'error');
      // A deadline is the one after a service's last beat: each is judged once, by one server (a beat late
      // under load before the kill may have been judged too, as a deadline of its own).
      const perDeadline = new Map<string, string[]>();
      for (const entry of judged) {
        const deadline = `${String(entry.name)} after ${new Date(Number(entry.last_beat)).toISOString()}`;
        perDeadline.set(deadline, [...(perDeadline.get(deadline) ?? []), `${entry.server} at ${String(entry.time)}`]);
      }
      assert.deepEqual(
        [...perDeadline].filter(([, by]) => by.length > 1),
        [],
        `deadlines judged more than once (killed ${new Date(killedAt).toISOString()})\n${lab.output()}`,
      );
      for (const [name, sent] of lastAcked) {
        assert.equal(
          judged.filter((entry) => entry.name === name && Number(entry.last_beat) >= sent).length,
          1,
          `${name}: the deadline after its last answered beat judged once`,
        );
      }
    });

    it('loses no agent report that was answered; each silent agent is judged down once', async () => {
      assert.equal(agents.size, AGENTS);
      await waitUntil(
        'every agent down (no report since the kill)',
        async () => {
          const listed = (await api('GET', '/api/agents')).json.agents as { status: string }[];
          return listed.length === AGENTS && listed.every((agent) => agent.status === 'down');
        },
        90_000,
      );
      for (const [hostname, { id, collectedAt }] of agents) {
        const shown = (await api('GET', `/api/agents/${id}`)).json;
        assert.equal(shown.collected_at, collectedAt, `${hostname}: the newest report stored is the last one answered`);
        // Each report counts once in the history: every answered one, none twice (one whose answer was lost
        // in the kill may or may not have been stored).
        const { metrics } = (await api('GET', `/api/agents/${id}/metrics?metric=cpu.percent`)).json as {
          metrics: { points: { samples: number }[] }[];
        };
        const samples = metrics.flatMap((metric) => metric.points).reduce((sum, point) => sum + point.samples, 0);
        const { stored, uncertain } = agentReports.get(hostname)!;
        assert.ok(
          samples >= stored && samples <= stored + uncertain,
          `${hostname}: ${samples} reports in the history, ${stored} answered as stored, ${uncertain} unanswered`,
        );
      }
      await waitUntil(
        'the agents alerted',
        () => alerts().filter((alert) => alert.kind === 'agent' && alert.to_state === 'down').length >= AGENTS,
        30_000,
      );
    });

    it('keeps the statsd services ok throughout: no alarm from the takeover', async () => {
      await new Promise((resolve) => setTimeout(resolve, UDP_TIMEOUT_S * 1000));
      const { services } = (await api('GET', '/api/services')).json as { services: { name: string; state: string }[] };
      assert.deepEqual(
        services.filter((service) => service.name.startsWith('udp.') && service.state !== 'ok').map((service) => service.name),
        [],
      );
      assert.deepEqual(
        alerts().filter((alert) => /^udp-/.test(alert.name)),
        [],
      );
    });

    it('loses no result the poller sent through nginx, and stores none twice', async () => {
      await waitUntil('the poller reporting on its monitors', () => /queued result of monitor/.test(poller!.stderr), 60_000);
      await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL_S * 1000));
      await poller!.stop(); // a clean stop sends what is queued
      const queued = [...poller!.stderr.matchAll(/queued result of monitor (\d+): \w+ \(.*\) checked_at (\S+)\n/g)].map(
        (match) => `${match[1]}|${match[2]}`,
      );
      const checkedAt = queued.map((key) => Date.parse(key.split('|')[1]!));
      assert.ok(
        checkedAt.some((at) => at < killedAt) && checkedAt.some((at) => at > takenOverAt),
        `the poller's results span the kill: ${queued.length} queued\n${poller!.output().slice(-2000)}`,
      );
      const stored: string[] = [];
      for (const id of pollerMonitors) {
        const { results } = (await api('GET', `/api/monitors/${id}/results?source=poller:${pollerId}&limit=1000`)).json;
        for (const row of results as { checked_at: string }[]) stored.push(`${id}|${row.checked_at}`);
      }
      assert.equal(new Set(stored).size, stored.length, 'no result stored twice');
      const storedSet = new Set(stored);
      assert.deepEqual(
        queued.filter((key) => !storedSet.has(key)),
        [],
        `of ${queued.length} results the poller queued, these never arrived\n${poller!.output().slice(-3000)}`,
      );
    });

    it('sends no alert twice', async () => {
      const keys = alerts().map(
        (alert) => `${alert.kind ?? 'alarm'} ${alert.name} ${alert.from_state}→${alert.to_state} #${alert.incident_number}`,
      );
      const twice = keys.filter((key, index) => keys.indexOf(key) !== index);
      assert.deepEqual(twice, [], `alerts: ${keys.join('; ')}`);
      assert.ok(
        keys.some((key) => key.startsWith('monitor broken')),
        keys.join('; '),
      );
    });

    it('runs every check once per interval, counted at the target, apart from the takeover window', async () => {
      for (let index = 1; index <= MONITORS; index++) {
        const hits = target.requests.filter((request) => request.path === `/m${index}`).map((request) => request.at);
        const gaps = hits.slice(1).map((at, position) => at - hits[position]!);
        assert.ok(hits.length >= 3, `monitor ${index}: ${hits.length} checks`);
        // Two servers running one check would hit the target twice per interval, at the same slot (a round
        // starts at least half an interval after the one before, at the key's slot).
        assert.ok(Math.min(...gaps) > (INTERVAL_S * 1000) / 4, `monitor ${index}: checks ${gaps.join(', ')} ms apart`);
        // None skipped for longer than the takeover bound (SPEC §12: 30 s).
        assert.ok(Math.max(...gaps) < INTERVAL_S * 1000 + 30_000, `monitor ${index}: a gap of ${Math.max(...gaps)} ms`);
        const outside = gaps.filter((_, position) => hits[position + 1]! < killedAt || hits[position]! > takenOverAt + INTERVAL_S * 1000);
        // No interval without its check outside the takeover window (a loaded machine may start one late).
        assert.ok(
          outside.every((gap) => gap < INTERVAL_S * 1000 * 2),
          `monitor ${index}: outside the takeover window the checks are ${outside.join(', ')} ms apart`,
        );
        const span = (hits.at(-1)! - hits[0]!) / 1000;
        assert.ok(hits.length <= span / INTERVAL_S + 2, `monitor ${index}: ${hits.length} checks in ${span} s`);
      }
    });

    it('keeps the console working through nginx with the same session', async () => {
      for (let attempt = 0; attempt < 6; attempt++) {
        const page = await console.request('GET', 'tokens');
        assert.equal(page.status, 200);
        assert.match(page.text, /<h1>Tokens<\/h1>/);
      }
      const created = await console.htmxPost('tokens', { name: `after the kill ${started}`, type: 'agent' });
      assert.ok(created.status < 300, `${created.status} ${created.text.slice(0, 300)}`);
      const cluster = await console.request('GET', 'cluster');
      assert.equal(cluster.status, 200);
      const rows = [...cluster.text.matchAll(/<td class="name">(srv\d)[\s\S]*?state-\w+">([A-Za-z]+)</g)]
        .map((match) => `${match[1]} ${match[2]}`)
        .sort();
      assert.deepEqual(
        rows,
        ['srv1', 'srv2', 'srv3'].map((name) => `${name} ${name === lab.name(killedIndex) ? 'Unreachable' : 'Active'}`),
        'the Cluster page lists the servers and what became of the killed one',
      );
    });
  },
);
