import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { createPluginContext } from '../../app/plugin-host/plugin-context.js';
import { PluginHostModule, pluginSettingsOf } from '../../app/plugin-host/plugin-host.module.js';
import { loadPluginModules } from '../../app/plugin-host/plugin-loader.js';
import { PluginRegistry } from '../../app/plugin-host/plugin-registry.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer, SERVER_ENTRY } from '../peers/pulse-server.js';
import { quietLogger } from '../support/databases.js';
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

const distRoot = fileURLToPath(new URL('../../', import.meta.url));
const TOKENS = { poller: `sw_poller_${'5a'.repeat(32)}`, agent: `sw_agent_${'6b'.repeat(32)}` };
const SERVER_PLUGINS =
  /plugins: checks: dns, http, nagios, ping, port, snmp, ssl, tcp-banner \(drop-in 1\.0\.0\); alerters: .*ntfy \(drop-in 1\.0\.0\)/;

/**
 * SPEC §11, issue 13: the example drop-ins of examples/plugins, built against the SDK's published types
 * and installed into `[plugins] dir`, run in the executables started from source (node dist/app/entry/*.js).
 */
describe('drop-in plugins (from source)', () => {
  let examples: ReturnType<typeof buildExamplePlugins>;
  let scratch: string;
  let receiver: HttpReceiver;
  let ssh: Awaited<ReturnType<typeof bannerServer>>;
  let server: PulseServer;

  before(async () => {
    examples = buildExamplePlugins();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'pulse-drop-in-e2e-'));
    receiver = await HttpReceiver.start();
    ssh = await bannerServer('SSH-2.0-PulseTest_1.0');
    server = await PulseServer.start({
      config: [
        '[plugins]',
        `dir = ${JSON.stringify(examples.pluginsDir)}`,
        '[alerts.phones-from-file]',
        'type = "ntfy"',
        `options = { server = ${JSON.stringify(receiver.url)}, topic = "from-file", token = "tk_file_secret" }`,
        '',
      ].join('\n'),
    });
  });
  after(async () => {
    await server?.dispose();
    await receiver?.stop();
    await ssh?.close();
    examples?.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('loads the examples the server runs, says so at start, and lists the check among the monitor types', async () => {
    assert.match(server.process.stderr, SERVER_PLUGINS);
    assert.doesNotMatch(server.process.stderr, /processes/, 'the server hosts no collector');
    const unknown = await server.request('POST', '/api/monitors', {
      token: server.adminToken,
      json: { name: 'x', type: 'tcp-banners', target: '127.0.0.1:22' },
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.fields.type, /^unknown monitor type "tcp-banners"; one of .*\bssl, tcp-banner$/);
  });

  it('runs the example check as a monitor: the banner as message, a wrong banner down, bad input a 400', async () => {
    const token = server.adminToken;
    const create = (name: string, options: Record<string, unknown>, target = `127.0.0.1:${ssh.port}`) =>
      server.request('POST', '/api/monitors', { token, json: { name, type: 'tcp-banner', target, options, interval: 5, timeout: 4 } });
    const good = await create('SSH banner', { expect: 'ssh-2.0', ignore_case: true });
    assert.equal(good.status, 201, good.text);
    const wrong = await create('SMTP expected', { expect: 'ESMTP' });
    assert.equal(wrong.status, 201, wrong.text);
    const up = await waitUntil('the tcp-banner monitor to come up', async () => {
      const seen = await server.request('GET', `/api/monitors/${good.json.id}`, { token });
      return seen.json.status === 'up' ? seen.json : null;
    });
    assert.equal(up.message, 'SSH-2.0-PulseTest_1.0');
    const down = await waitUntil('the wrong-banner monitor to go down', async () => {
      const seen = await server.request('GET', `/api/monitors/${wrong.json.id}`, { token });
      return seen.json.status === 'down' ? seen.json : null;
    });
    assert.equal(down.message, 'banner "SSH-2.0-PulseTest_1.0" does not contain "ESMTP"');

    const bad = await create('Bad', { max_bytes: 5, colour: 'red' }, 'no port here');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.fields, {
      target: 'must be "host:port" with a port 1-65535, e.g. "mail.example.com:25" or "[2001:db8::1]:22"',
      'options.max_bytes': 'must be at least 16',
      'options.colour': 'unknown option',
    });
  });

  it('delivers through the example alerter, to a channel made through the API and one from the file', async () => {
    const token = server.adminToken;
    const created = await server.request('POST', '/api/alerts', {
      token,
      json: { name: 'phones', type: 'ntfy', settings: { server: receiver.url, topic: 'from-api', token: 'tk_api_secret' } },
    });
    assert.equal(created.status, 201, created.text);
    const listed = await server.request('GET', '/api/alerts/phones', { token });
    assert.ok(!listed.text.includes('tk_api_secret'), `the token is masked: ${listed.text}`);

    const before = receiver.requests.length;
    for (const channel of ['phones', 'phones-from-file']) {
      const sent = await server.request('POST', `/api/alerts/${channel}/test`, { token });
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.json.deliveries[0].status, 'sent', sent.text);
    }
    const [fromApi, fromFile] = (await receiver.waitForRequests(before + 2)).slice(before);
    for (const [request, topic, secret] of [
      [fromApi!, 'from-api', 'tk_api_secret'],
      [fromFile!, 'from-file', 'tk_file_secret'],
    ] as const) {
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/');
      assert.equal(request.headers.authorization, `Bearer ${secret}`);
      const body = JSON.parse(request.body) as Record<string, unknown>;
      assert.equal(body.topic, topic);
      assert.equal(body.priority, 3);
      assert.deepEqual(body.tags, ['test_tube']);
      assert.match(String(body.title), /^Test message for phones/);
      assert.match(String(body.message), /if you can read it, the channel works/);
    }
  });

  it('refuses a config channel naming an alerter that is not installed, and options without a type', async () => {
    const refused = await startRefused(
      `[alerts.pager]\ntype = "pagerduty"\n[alerts.loose]\nmail = "ops@example.com"\noptions = { topic = "x" }\n`,
      scratch,
    );
    assert.equal(refused.code, 78);
    assert.match(refused.stderr, /alerts\.loose: options need a type \(the alerter they are for, e\.g\. type = "webhook"\)/);
    assert.match(
      refused.stderr,
      /alerts\.pager \(pagerduty\): no alerter plugin "pagerduty" is installed \(installed: mail, script, slack, snmp-trap, webhook\)/,
    );
  });

  it('a poller with the example check runs it for a monitor assigned to it, and its results reach the server', async () => {
    await assertPollerRunsExampleCheck({
      server,
      adminToken: server.adminToken!,
      pluginsDir: examples.pluginsDir,
      scratch,
      banner: { port: ssh.port, text: 'SSH-2.0-PulseTest_1.0' },
      start: (configFile, dataDir) =>
        startProcess(process.execPath, [path.join(distRoot, 'app', 'entry', 'poller.js'), '--config', configFile], {
          env: { PATH: process.env.PATH ?? '' },
          cwd: dataDir,
          label: 'poller with drop-ins',
        }),
    });
  });

  it('the agent loads the example collector (and no check or alerter) beside its own and says so in its start-up log', async () => {
    // Nothing listens on 127.0.0.1:1: the agent keeps its reports in its outbox and runs until stopped.
    const file = path.join(scratch, 'agent-drop-ins.conf');
    writeFileSync(
      file,
      `server = "http://127.0.0.1:1/"\ntoken = "${TOKENS.agent}"\ndata_dir = ${JSON.stringify(path.join(scratch, 'agent-data'))}\n[plugins]\ndir = ${JSON.stringify(examples.pluginsDir)}\n`,
    );
    const agent = startProcess(process.execPath, [path.join(distRoot, 'app', 'entry', 'agent.js'), '--config', file], {
      env: { PATH: process.env.PATH ?? '' },
      cwd: scratch,
      label: 'agent',
    });
    try {
      await agent.waitForOutput(/plugins: collectors: cpu, disk, load, memory, network, processes \(drop-in 1\.0\.0\), uptime\n/, 60_000);
      await agent.waitForOutput(/reporting every 30 s to http:\/\/127\.0\.0\.1:1 with cpu, disk, load, memory, network, processes, uptime/);
    } finally {
      await agent.stop();
    }
  });

  it('the example collector, hosted as the agent hosts it, counts processes by name and state', async () => {
    const children: ChildProcess[] = [];
    const plugins = await loadPluginModules('agent', { dropInDir: examples.pluginsDir });
    const host = await NestFactory.createApplicationContext(
      PluginHostModule.forRoot(plugins, pluginSettingsOf({ dir: examples.pluginsDir })),
      {
        logger: quietLogger,
        abortOnError: false,
      },
    );
    try {
      // Two sleepers, and a shell that execs into a third one without reaping its own child: a zombie.
      children.push(spawn('sleep', ['30']), spawn('sleep', ['30']), spawn('sh', ['-c', 'sleep 0 & exec sleep 30']));
      const collector = host.get(PluginRegistry).collector('processes');
      assert.ok(collector, 'registered');
      const collect = () =>
        collector.plugin.collect(
          { names: ['sleep', 'no-such-daemon'] },
          createPluginContext({ timeoutMs: 10_000, logger: { debug() {}, info() {}, warn() {} } }),
        );
      const samples = await waitUntil('three sleepers and a zombie', async () => {
        const taken = await collect();
        const value = (metric: string, name?: string) =>
          taken.find((sample) => sample.metric === metric && (name === undefined || sample.labels?.name === name))?.value ?? -1;
        return value('processes.named', 'sleep') >= 3 && value('processes.zombie') >= 1 ? taken : null;
      });
      const metrics = new Set(samples.map((sample) => sample.metric));
      assert.deepEqual([...metrics].sort(), [
        'processes.blocked',
        'processes.named',
        'processes.running',
        'processes.threads',
        'processes.total',
        'processes.zombie',
      ]);
      const total = samples.find((sample) => sample.metric === 'processes.total')!.value;
      assert.ok(total >= 4, `${total} processes`);
      assert.ok(samples.find((sample) => sample.metric === 'processes.threads')!.value >= total);
      assert.equal(samples.find((sample) => sample.labels?.name === 'no-such-daemon')?.value, 0);
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await host.close();
    }
  });

  describe('a broken drop-in refuses the start with its folder and reason (exit 78, no stack trace)', () => {
    let broken: ReturnType<typeof brokenDropIns>;
    before(() => {
      broken = brokenDropIns(examples.pluginsDir, path.join(examples.work, 'broken'));
    });

    it('covers every failure class', () => {
      assert.deepEqual(
        broken.map((item) => item.what),
        ['a syntax error', 'the id of a built-in', 'the id of another drop-in', 'another SDK major', 'no default-exported module'],
      );
    });

    for (const role of ['server', 'poller'] as const) {
      it(`the ${role} refuses each`, async () => {
        for (const item of broken) {
          const refused =
            role === 'server'
              ? await startRefused(`[plugins]\ndir = ${JSON.stringify(item.dir)}\n`, scratch)
              : await startRemote('poller', item.dir, scratch);
          assertRefused(refused, item, `the ${role}`);
        }
      });
    }
  });
});

/** A server start from source that is expected to fail; its exit code and output. */
async function startRefused(config: string, scratch: string): Promise<{ code: number; stderr: string }> {
  const dataDir = mkdtempSync(path.join(scratch, 'data-'));
  const file = path.join(dataDir, 'server.toml');
  writeFileSync(file, config);
  const env = {
    PATH: process.env.PATH ?? '',
    PULSE_DATA_DIR: dataDir,
    PULSE_HTTP_LISTEN: '127.0.0.1:0',
    PULSE_UDP_LISTEN: '127.0.0.1:0',
    PULSE_TCP_LISTEN: '127.0.0.1:0',
  };
  return runCommand(process.execPath, [SERVER_ENTRY, '--config', file], { env, cwd: dataDir, timeout: REFUSAL_WAIT_MS }).then(
    (result) => assert.fail(`the server started:\n${result.stderr}`),
    (error: { code: number; stderr: string }) => error,
  );
}

/**
 * The poller from source with `[plugins] dir`, for a drop-in that refuses the start (its server a loopback
 * port nobody listens on, in case it did not).
 */
async function startRemote(role: 'poller', pluginsDir: string, scratch: string): Promise<{ code: number; stderr: string }> {
  const file = path.join(scratch, `${role}-${path.basename(pluginsDir)}-${Date.now()}.conf`);
  writeFileSync(file, `server = "http://127.0.0.1:9/"\ntoken = "${TOKENS[role]}"\n[plugins]\ndir = ${JSON.stringify(pluginsDir)}\n`);
  const entry = path.join(distRoot, 'app', 'entry', `${role}.js`);
  return runCommand(process.execPath, [entry, '--config', file], {
    env: { PATH: process.env.PATH ?? '' },
    cwd: scratch,
    timeout: REFUSAL_WAIT_MS,
  }).catch((error: { code: number; stderr: string }) => error);
}
