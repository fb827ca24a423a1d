import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN_DIR, buildBinaries } from '../../scripts/build-binaries.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import {
  assertPollerRunsExampleCheck,
  assertRefused,
  bannerServer,
  brokenDropIns,
  buildExamplePlugins,
} from '../support/example-plugins.js';
import { runCommand, startProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

/** A start that should be refused but runs is killed after this, failing the test instead of hanging it. */
const REFUSAL_WAIT_MS = 120_000;

const TOKENS = { poller: `sw_poller_${'7c'.repeat(32)}`, agent: `sw_agent_${'8d'.repeat(32)}` };
const EXECUTABLES = {
  server: 'lillydoo-pulse-linux-x64',
  poller: 'lillydoo-pulse-poller-linux-x64',
  agent: 'lillydoo-pulse-agent-linux-x64',
};

/**
 * SPEC §11 in the single executables (Node SEA: no node_modules, the SDK inside the bundle): the example
 * drop-ins, installed in `[plugins] dir` outside the checkout, are loaded and work; a broken one refuses
 * the start naming its folder.
 */
describe('drop-in plugins in the single executables', () => {
  let examples: ReturnType<typeof buildExamplePlugins>;
  let home: string;
  const installed: Record<keyof typeof EXECUTABLES, string> = { server: '', poller: '', agent: '' };

  before(async () => {
    await buildBinaries({ arches: ['x64'] });
    examples = buildExamplePlugins();
    // Each executable alone in an empty directory, run with an empty environment.
    home = mkdtempSync(path.join(os.tmpdir(), 'pulse-exe-drop-ins-'));
    for (const [role, name] of Object.entries(EXECUTABLES) as [keyof typeof EXECUTABLES, string][]) {
      mkdirSync(path.join(home, role));
      installed[role] = path.join(home, role, name);
      copyFileSync(path.join(BIN_DIR, name), installed[role]);
    }
  });
  after(() => {
    examples?.remove();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** The server executable with `[plugins] dir` and these extra lines of config. */
  const startServer = (pluginsDir: string, extra = '') => {
    const dataDir = mkdtempSync(path.join(home, 'data-'));
    return PulseServer.start({
      executable: installed.server,
      cleanEnv: true,
      cwd: path.dirname(installed.server),
      dataDir,
      config: serverConfig(dataDir, pluginsDir, extra),
    });
  };
  const serverConfig = (dataDir: string, pluginsDir: string, extra = '') =>
    [
      `data_dir = ${JSON.stringify(dataDir)}`,
      '[http]\nlisten = "127.0.0.1:0"\n[udp]\nlisten = "127.0.0.1:0"\n[tcp]\nlisten = "127.0.0.1:0"',
      `[plugins]\ndir = ${JSON.stringify(pluginsDir)}`,
      extra,
    ].join('\n');

  describe('the server', () => {
    let server: PulseServer;
    let receiver: HttpReceiver;
    let smtp: Awaited<ReturnType<typeof bannerServer>>;

    before(async () => {
      receiver = await HttpReceiver.start();
      smtp = await bannerServer('220 relay.example.test ESMTP Pulse test');
      server = await startServer(
        examples.pluginsDir,
        `[alerts.phones-from-file]\ntype = "ntfy"\noptions = { server = ${JSON.stringify(receiver.url)}, topic = "exe-file" }\n`,
      );
    });
    after(async () => {
      await server?.dispose();
      await receiver?.stop();
      await smtp?.close();
    });

    it('loads the example check and alerter and says so at start', () => {
      assert.match(
        server.process.stderr,
        /plugins: checks: dns, http, nagios, ping, port, snmp, ssl, tcp-banner \(drop-in 1\.0\.0\); alerters: .*ntfy \(drop-in 1\.0\.0\)/,
      );
    });

    it('runs the example check as a monitor', async () => {
      const token = server.adminToken;
      const created = await server.request('POST', '/api/monitors', {
        token,
        json: {
          name: 'Relay',
          type: 'tcp-banner',
          target: `127.0.0.1:${smtp.port}`,
          options: { expect: 'ESMTP' },
          interval: 5,
          timeout: 4,
        },
      });
      assert.equal(created.status, 201, created.text);
      const up = await waitUntil('the tcp-banner monitor to come up', async () => {
        const seen = await server.request('GET', `/api/monitors/${created.json.id}`, { token });
        return seen.json.status === 'up' ? seen.json : null;
      });
      assert.equal(up.message, '220 relay.example.test ESMTP Pulse test');
    });

    it('delivers through the example alerter, for a channel from the API and one from the file', async () => {
      const token = server.adminToken;
      const created = await server.request('POST', '/api/alerts', {
        token,
        json: { name: 'phones', type: 'ntfy', settings: { server: receiver.url, topic: 'exe-api', priority: 'urgent' } },
      });
      assert.equal(created.status, 201, created.text);
      const before = receiver.requests.length;
      for (const channel of ['phones', 'phones-from-file']) {
        const sent = await server.request('POST', `/api/alerts/${channel}/test`, { token });
        assert.equal(sent.json.deliveries?.[0]?.status, 'sent', sent.text);
      }
      const topics = (await receiver.waitForRequests(before + 2)).slice(before).map((request) => JSON.parse(request.body).topic);
      assert.deepEqual(topics, ['exe-api', 'exe-file']);
    });

    it('takes the example collector’s figures from the agent executable: in the agent’s report and its history', async () => {
      const token = (
        await server.request('POST', '/api/tokens/', { token: server.adminToken, json: { name: 'drop-in agent', type: 'agent' } })
      ).json.token as string;
      const dir = mkdtempSync(path.join(home, 'agent-'));
      const file = path.join(dir, 'agent.conf');
      // The kernel keeps 15 characters of a process name: the executables here all run as "lillydoo-pulse-".
      writeFileSync(
        file,
        [
          `server = "${server.baseUrl}/"`,
          `token = "${token}"`,
          'interval = 5',
          'collectors = ["processes", "memory"]',
          `data_dir = ${JSON.stringify(path.join(dir, 'data'))}`,
          `[plugins]\ndir = ${JSON.stringify(examples.pluginsDir)}`,
          '[processes]\nnames = ["lillydoo-pulse-"]',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      const agent = startProcess(installed.agent, ['--config', file], { env: {}, cwd: dir, label: 'agent' });
      try {
        await agent.waitForOutput(/plugins: collectors: cpu, disk, load, memory, network, processes \(drop-in 1\.0\.0\), uptime\n/);
        const id = await waitUntil(
          'the agent’s first report',
          async () => (await server.request('GET', '/api/agent/whoami', { token })).json.id as number | null,
          30_000,
        );
        const shown = (await server.request('GET', `/api/agents/${id}`, { token: server.adminToken })).json;
        const figures = new Map(
          (shown.latest.extra as { metric: string; value: number; labels?: { name: string } }[]).map((figure) => [
            `${figure.metric}${figure.labels ? `{${figure.labels.name}}` : ''}`,
            figure.value,
          ]),
        );
        assert.ok(figures.get('processes.total')! > 1, JSON.stringify(shown.latest.extra));
        assert.ok(figures.get('processes.named{lillydoo-pulse-}')! >= 2, 'the server and the agent at least');
        assert.ok(shown.latest.memory.total > 0, 'the built-in collectors report beside it');
        // The first report is answered once it is stored; whoami may answer before that.
        const series = await waitUntil('the history of the collector’s figures', async () => {
          const history = await server.request('GET', `/api/agents/${id}/metrics?metric=processes.total,processes.named`, {
            token: server.adminToken,
          });
          const found = history.json.metrics.map((entry: { metric: string; series: string }) => [entry.metric, entry.series]).sort();
          return found.length >= 2 ? found : null;
        });
        assert.deepEqual(series, [
          ['processes.named', 'name=lillydoo-pulse-'],
          ['processes.total', ''],
        ]);
      } finally {
        await agent.stop();
      }
      assert.doesNotMatch(agent.stderr, /left out of the reports/, agent.stderr);
    });

    it('the poller executable with the example check runs it for a monitor assigned to it; its results reach the server', async () => {
      await assertPollerRunsExampleCheck({
        server,
        adminToken: server.adminToken!,
        pluginsDir: examples.pluginsDir,
        scratch: home,
        banner: { port: smtp.port, text: '220 relay.example.test ESMTP Pulse test' },
        start: (configFile, dataDir) =>
          startProcess(installed.poller, ['--config', configFile], { env: {}, cwd: dataDir, label: 'poller executable with drop-ins' }),
      });
    });
  });

  it('the server and poller executables refuse each broken drop-in, naming its folder and the reason', async () => {
    const broken = brokenDropIns(examples.pluginsDir, path.join(examples.work, 'broken'));
    for (const item of broken) {
      const data = mkdtempSync(path.join(home, 'refused-'));
      const file = path.join(data, 'server.toml');
      writeFileSync(file, serverConfig(data, item.dir));
      const runs = {
        server: await runCommand(installed.server, ['--config', file], { env: {}, cwd: data, timeout: REFUSAL_WAIT_MS }).catch(
          (error: Failure) => error,
        ),
        poller: await startRemote('poller', item.dir),
      };
      for (const [role, refused] of Object.entries(runs)) assertRefused(refused, item, `the ${role} executable`);
    }
  });

  it('the agent executable refuses a broken drop-in collector, naming its folder and the reason', async () => {
    const dir = path.join(examples.work, 'broken-collector');
    cpSync(examples.pluginsDir, dir, { recursive: true });
    const folder = path.join(dir, 'collectors', 'processes');
    const entry = path.join(folder, 'dist', 'processes.config.js');
    writeFileSync(entry, `${readFileSync(entry, 'utf8')}\nconst unfinished = ;\n`);
    const file = path.join(home, 'agent-broken.conf');
    // Nothing listens on 127.0.0.1:1; the agent stops before it would try.
    writeFileSync(file, `server = "http://127.0.0.1:1/"\ntoken = "${TOKENS.agent}"\n[plugins]\ndir = ${JSON.stringify(dir)}\n`);
    const refused = await runCommand(installed.agent, ['--config', file], { env: {}, cwd: home, timeout: REFUSAL_WAIT_MS }).catch(
      (error: Failure) => error,
    );
    assertRefused(
      refused,
      { what: 'a syntax error', dir, folder, reason: /^syntax error in dist\/index\.js or a file it imports: Unexpected token ';'/ },
      'the agent executable',
    );
  });

  type Failure = { code: number; stdout: string; stderr: string };

  async function startRemote(role: 'poller', pluginsDir: string): Promise<Failure> {
    const file = path.join(home, `${role}-${Date.now()}-${Math.random().toString(16).slice(2)}.conf`);
    writeFileSync(file, `server = "http://127.0.0.1:9/"\ntoken = "${TOKENS[role]}"\n[plugins]\ndir = ${JSON.stringify(pluginsDir)}\n`);
    return runCommand(installed[role], ['--config', file], { env: {}, cwd: path.dirname(installed[role]), timeout: REFUSAL_WAIT_MS }).catch(
      (error: Failure) => error,
    );
  }
});
