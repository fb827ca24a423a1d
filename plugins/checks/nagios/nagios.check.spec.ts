import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PluginContext } from '../../../app/plugin-host/index.js';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { PulseServer } from '../../../test/peers/pulse-server.js';
import { waitUntil } from '../../../test/support/wait.js';
import { NagiosCheck } from './nagios.check.js';
import { DEFAULT_NAGIOS_DIRS } from './nagios-executable.js';
import { OUTPUT_LIMIT_BYTES } from './nagios-process.js';

const DEBIAN_PLUGINS = DEFAULT_NAGIOS_DIRS[0]!;
const missingPlugins = ['check_tcp', 'check_http', 'check_dummy', 'check_ftp'].filter(
  (name) => !existsSync(path.join(DEBIAN_PLUGINS, name)),
);
const skipDebian =
  missingPlugins.length > 0 &&
  `Debian's monitoring-plugins are not installed (apt-get install monitoring-plugins-basic monitoring-plugins-standard): ${missingPlugins.join(', ')} missing from ${DEBIAN_PLUGINS}`;

const logger = { debug() {}, info() {}, warn() {} };
const context = (timeoutMs = 10_000) => createPluginContext({ timeoutMs, logger });

/** A context whose abort the test triggers, with the reason AbortSignal.timeout() gives (or a shutdown's). */
function controlledContext(timeoutMs: number) {
  const controller = new AbortController();
  const ctx: PluginContext = { signal: controller.signal, timeoutMs, logger };
  return {
    context: ctx,
    timeOut: () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    shutDown: () => controller.abort(new Error('shutting down')),
  };
}

/** True while `pid` is a live process (a zombie waiting to be reaped counts as gone). */
function isRunning(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

describe('nagios check', () => {
  let dir: string;
  let pluginDir: string;
  let check: NagiosCheck;
  const script = (name: string, body: string, mode = 0o755) => {
    const file = path.join(pluginDir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, mode);
    return file;
  };

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-nagios-'));
    pluginDir = path.join(dir, 'plugins');
    mkdirSync(pluginDir);
    check = new NagiosCheck({ dir: '/nonexistent', nagios_dirs: [pluginDir, DEBIAN_PLUGINS] });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("Debian's monitoring-plugins", { skip: skipDebian }, () => {
    let banner: net.Server;
    let bannerPort: number;
    let closedPort: number;
    let site: http.Server;
    let sitePort: number;

    before(async () => {
      banner = net.createServer((socket) => {
        socket.on('error', () => {}); // check_tcp may close with a reset once it has read the banner
        socket.end('220 pulse test ready\r\n');
      });
      bannerPort = await listen(banner);
      const closing = net.createServer();
      closedPort = await listen(closing);
      await new Promise((resolve) => closing.close(resolve));
      site = http.createServer((request, response) => {
        if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welcome to Pulse</h1>');
        else response.writeHead(404).end('not here');
      });
      sitePort = await listen(site);
    });
    after(() => {
      banner.close();
      site.closeAllConnections();
      site.close();
    });

    it('check_tcp: up with its message, its time= perfdata as latency', async () => {
      const result = await check.run('check_tcp', { args: ['-H', '127.0.0.1', '-p', String(bannerPort)] }, context());
      assert.equal(result.status, 'up');
      assert.match(result.message, new RegExp(`^TCP OK - [\\d.]+ second response time on 127\\.0\\.0\\.1 port ${bannerPort}$`));
      const perfdata = result.details!.perfdata as { label: string; value: number; uom: string; min: number; max: number }[];
      assert.equal(perfdata.length, 1);
      assert.deepEqual({ ...perfdata[0], value: 0 }, { label: 'time', value: 0, uom: 's', warn: null, crit: null, min: 0, max: 10 });
      assert.equal(result.latencyMs, Math.round(perfdata[0]!.value * 1000 * 100) / 100);
      assert.equal(result.details!.state, 'ok');
      assert.equal(result.details!.exit_code, 0);
      assert.equal(result.details!.plugin, path.join(DEBIAN_PLUGINS, 'check_tcp'));
    });

    it('check_tcp: a warning (exit 1) when the banner is not the expected one', async () => {
      const result = await check.run('check_tcp', { args: ['-H', '127.0.0.1', '-p', String(bannerPort), '-e', 'SSH-2.0'] }, context());
      assert.equal(result.status, 'warning');
      assert.equal(result.message, 'TCP WARNING - Unexpected response from host/socket: 220 pulse test ready');
      assert.equal(result.details!.state, 'warning');
    });

    it('check_tcp: down (exit 2) when the port refuses, with no latency', async () => {
      const result = await check.run(`${DEBIAN_PLUGINS}/check_tcp`, { args: ['-H', '127.0.0.1', '-p', String(closedPort)] }, context());
      assert.deepEqual(
        { status: result.status, latencyMs: result.latencyMs, message: result.message, state: result.details!.state },
        {
          status: 'down',
          latencyMs: null,
          message: `connect to address 127.0.0.1 and port ${closedPort}: Connection refused`,
          state: 'critical',
        },
      );
    });

    it('runs a symlinked plugin under its own name (check_ftp -> check_tcp speaks FTP)', async () => {
      const result = await check.run('check_ftp', { args: ['-H', '127.0.0.1', '-p', String(bannerPort)] }, context());
      assert.equal(result.status, 'up');
      assert.match(result.message, /^FTP OK - [\d.]+ second response time on 127\.0\.0\.1 port \d+ \[220 pulse test ready\]$/);
    });

    it('check_http: up with time and size perfdata; a missing string is down; a 404 a warning', async () => {
      const ok = await check.run(
        'check_http',
        { args: ['-H', '127.0.0.1', '-p', String(sitePort), '-u', '/', '-s', 'Welcome'] },
        context(),
      );
      assert.equal(ok.status, 'up');
      assert.match(ok.message, /^HTTP OK: HTTP\/1\.1 200 OK - \d+ bytes in [\d.]+ second response time$/);
      const perfdata = ok.details!.perfdata as { label: string; value: number; uom: string }[];
      assert.deepEqual(
        perfdata.map((datum) => [datum.label, datum.uom]),
        [
          ['time', 's'],
          ['size', 'B'],
        ],
      );
      assert.equal(perfdata[1]!.value, Number(/(\d+) bytes/.exec(ok.message)![1]));
      assert.equal(ok.latencyMs, Math.round(perfdata[0]!.value * 1000 * 100) / 100);

      const absent = await check.run('check_http', { args: ['-H', '127.0.0.1', '-p', String(sitePort), '-s', 'Goodbye'] }, context());
      assert.equal(absent.status, 'down');
      assert.match(absent.message, /^HTTP CRITICAL: HTTP\/1\.1 200 OK - string 'Goodbye' not found on 'http:\/\/127\.0\.0\.1:\d+\/'/);

      const missing = await check.run('check_http', { args: ['-H', '127.0.0.1', '-p', String(sitePort), '-u', '/gone'] }, context());
      assert.equal(missing.status, 'warning');
      assert.match(missing.message, /^HTTP WARNING: HTTP\/1\.1 404 Not Found/);
    });

    it('check_dummy 0-3: up, warning, down and unknown (down), each with its text', async () => {
      const expected = [
        { status: 'up', message: 'OK: all good', state: 'ok' },
        { status: 'warning', message: 'WARNING: all good', state: 'warning' },
        { status: 'down', message: 'CRITICAL: all good', state: 'critical' },
        { status: 'down', message: 'UNKNOWN: all good', state: 'unknown' },
      ];
      for (const [code, want] of expected.entries()) {
        const result = await check.run('check_dummy', { args: [String(code), 'all good'] }, context());
        assert.deepEqual(
          { status: result.status, message: result.message, state: result.details!.state, exit_code: result.details!.exit_code },
          { ...want, exit_code: code },
        );
        assert.equal(result.latencyMs, null, 'check_dummy prints no time=');
      }
    });

    it('passes arguments as they are, without a shell', async () => {
      const text = `$(touch ${dir}/pwned) * ; "quoted" 'single' \`id\``;
      const result = await check.run('check_dummy', { args: ['0', text] }, context());
      assert.equal(result.message, `OK: ${text}`);
      assert.equal(existsSync(path.join(dir, 'pwned')), false);
    });

    it('says unknown, with the usage line, when a plugin refuses its arguments', async () => {
      const result = await check.run('check_dummy', { args: [] }, context());
      assert.equal(result.status, 'down');
      assert.equal(result.message, 'unknown: check_dummy: Could not parse arguments');
      assert.match(String(result.details!.long_output), /Usage:/);
    });
  });

  describe('plugins of your own', () => {
    it('parses multi-line output: message, long output, perfdata on several lines with quoted labels', async () => {
      script(
        'check_disks',
        [
          `echo "DISK OK - free space: / 3326 MB (56%); | '/ used'=2643MB;5948;5958;0;5968"`,
          'echo "/ 15272 MB (77%);"',
          `echo "/boot 68 MB (69%); | 'it''s'=1.5e3us;;@10:20;; bad-item"`,
          `echo "inodes=U;;;0;100 'time'=250ms"`,
        ].join('\n'),
      );
      const result = await check.run('check_disks', { args: [] }, context());
      assert.equal(result.status, 'up');
      assert.equal(result.message, 'DISK OK - free space: / 3326 MB (56%);');
      assert.equal(result.details!.long_output, '/ 15272 MB (77%);\n/boot 68 MB (69%); ');
      assert.deepEqual(result.details!.perfdata, [
        { label: '/ used', value: 2643, uom: 'MB', warn: '5948', crit: '5958', min: 0, max: 5968 },
        { label: "it's", value: 1500, uom: 'us', warn: null, crit: '@10:20', min: null, max: null },
        { label: 'inodes', value: null, uom: '', warn: null, crit: null, min: 0, max: 100 },
        { label: 'time', value: 250, uom: 'ms', warn: null, crit: null, min: null, max: null },
      ]);
      assert.deepEqual(result.details!.perfdata_skipped, ['bad-item']);
      assert.equal(result.latencyMs, 250);
    });

    it('gives the plugin a minimal environment: PATH and LANG=C, nothing of Pulse', async () => {
      process.env.PULSE_TEST_SECRET_FOR_NAGIOS = 'must-not-leak';
      try {
        script('check_env', 'echo "ENV OK"; env | sort');
        const result = await check.run('check_env', { args: [] }, context());
        const lines = String(result.details!.long_output).split('\n');
        assert.ok(lines.includes('LANG=C'), lines.join('\n'));
        assert.ok(lines.some((line) => line.startsWith('PATH=/usr/local/sbin:')));
        assert.ok(!lines.some((line) => line.includes('must-not-leak')));
        assert.ok(!lines.some((line) => /^(HOME|PULSE_\w+|NODE_\w+)=/.test(line)), lines.join('\n'));
      } finally {
        delete process.env.PULSE_TEST_SECRET_FOR_NAGIOS;
      }
    });

    it('says unknown for exit codes outside 0-3 and for a plugin killed by a signal', async () => {
      script('check_exit7', 'echo "what now"; exit 7');
      const seven = await check.run('check_exit7', { args: [] }, context());
      assert.deepEqual({ status: seven.status, message: seven.message }, { status: 'down', message: 'unknown: exit code 7: what now' });
      script('check_crash', 'echo "about to crash"; kill -SEGV $$');
      const crash = await check.run('check_crash', { args: [] }, context());
      assert.deepEqual(
        { status: crash.status, message: crash.message },
        { status: 'down', message: 'unknown: plugin killed by SIGSEGV: about to crash' },
      );
      script('check_quiet', 'exit 2');
      const quiet = await check.run('check_quiet', { args: [] }, context());
      assert.deepEqual({ status: quiet.status, message: quiet.message }, { status: 'down', message: 'CRITICAL (exit code 2, no output)' });
    });

    it('keeps 64 KiB of output and counts what it threw away, without blocking the plugin', async () => {
      script('check_chatty', 'echo "CHATTY OK"; head -c 300000 /dev/zero | tr "\\0" "x"; echo; echo "after the flood"');
      const result = await check.run('check_chatty', { args: [] }, context());
      assert.equal(result.status, 'up');
      assert.equal(result.message, 'CHATTY OK');
      assert.equal(
        result.details!.output_truncated_bytes,
        'CHATTY OK\n'.length + 300000 + 1 + 'after the flood\n'.length - OUTPUT_LIMIT_BYTES,
      );
    });

    it('is killed at the monitor timeout and says so', async () => {
      script('check_sleepy', 'echo "SLEEPY - thinking"; exec sleep 300');
      const result = await check.run('check_sleepy', { args: [] }, context(300));
      assert.equal(result.status, 'down');
      assert.equal(result.message, 'unknown: no answer within 300 ms, plugin killed (it said: SLEEPY - thinking)');
      assert.equal(result.details!.killed, 'timeout');
    });

    for (const variant of [
      { name: 'check_hang', trap: '', how: 'SIGTERM' },
      { name: 'check_stubborn', trap: "trap '' TERM", how: 'SIGKILL after the grace period, as it ignores SIGTERM' },
    ]) {
      it(`kills a hanging plugin with its children at the timeout (${variant.how})`, async () => {
        script(variant.name, [variant.trap, 'echo "HANG - started"', 'sleep 300 &', 'echo $! > "$1"', 'echo $$ > "$2"', 'wait'].join('\n'));
        const childFile = path.join(dir, `${variant.name}.child`);
        const parentFile = path.join(dir, `${variant.name}.parent`);
        const { context: ctx, timeOut } = controlledContext(800);
        const running = check.run(variant.name, { args: [childFile, parentFile] }, ctx);
        const [child, parent] = await waitUntil('the plugin to write its pids', () => {
          const pids = [childFile, parentFile].map((file) => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0));
          return pids.every((pid) => pid > 0) ? pids : null;
        });
        assert.ok(isRunning(child!) && isRunning(parent!));
        timeOut();
        const result = await running;
        assert.equal(result.status, 'down');
        assert.equal(result.message, 'unknown: no answer within 800 ms, plugin killed (it said: HANG - started)');
        await waitUntil('the plugin and its child to be gone', () => !isRunning(child!) && !isRunning(parent!), 5000);
      });
    }

    it('is killed when Pulse shuts down, and says that instead of a timeout', async () => {
      script('check_slow', 'echo "SLOW"; exec sleep 300');
      const { context: ctx, shutDown } = controlledContext(60_000);
      const running = check.run('check_slow', { args: [] }, ctx);
      setImmediate(shutDown);
      const result = await running;
      assert.match(result.message, /^unknown: stopped because Pulse is shutting down, plugin killed/);
      assert.equal(result.details!.killed, 'abort');
    });
  });

  describe('allowed directories', () => {
    let outside: string;
    before(() => {
      outside = path.join(dir, 'outside');
      mkdirSync(outside);
      writeFileSync(path.join(outside, 'check_evil'), '#!/bin/sh\necho "OK: ran from outside"\n', { mode: 0o755 });
      symlinkSync(path.join(outside, 'check_evil'), path.join(pluginDir, 'check_link_out'));
      writeFileSync(path.join(pluginDir, 'check_notexec'), '#!/bin/sh\necho OK\n', { mode: 0o644 });
      mkdirSync(path.join(pluginDir, 'check_dir'));
      writeFileSync(path.join(pluginDir, 'check_inside'), '#!/bin/sh\necho "OK: inside"\n', { mode: 0o755 });
      symlinkSync(path.join(pluginDir, 'check_inside'), path.join(pluginDir, 'check_link_in'));
    });

    it('accepts plugin names and absolute paths inside an allowed directory', () => {
      assert.equal(check.validateTarget('check_inside'), null);
      assert.equal(check.validateTarget(path.join(pluginDir, 'check_inside')), null);
      assert.equal(check.validateTarget('check_link_in'), null);
      assert.equal(check.validateTarget(`${pluginDir}/./check_inside`), null);
    });

    it('refuses paths outside, .. escapes, symlinks leading out, missing and non-executable files', () => {
      const dirs = `${pluginDir}, ${DEBIAN_PLUGINS}`;
      const cases: [string, string][] = [
        ['/bin/sh', `"/bin/sh" is outside the allowed plugin directories (${dirs})`],
        [path.join(outside, 'check_evil'), `"${path.join(outside, 'check_evil')}" is outside the allowed plugin directories (${dirs})`],
        [`${pluginDir}/../outside/check_evil`, `"${pluginDir}/../outside/check_evil" is outside the allowed plugin directories (${dirs})`],
        [`${pluginDir}/../../../../bin/sh`, `"${pluginDir}/../../../../bin/sh" is outside the allowed plugin directories (${dirs})`],
        ['/etc/no-such-file', `"/etc/no-such-file" is outside the allowed plugin directories (${dirs})`],
        [
          'check_link_out',
          `"check_link_out" is outside the allowed plugin directories (${dirs}): it resolves to ${path.join(outside, 'check_evil')}`,
        ],
        ['check_nothing', `no plugin "check_nothing" in the allowed directories (${dirs})`],
        [path.join(pluginDir, 'check_nothing'), `"${path.join(pluginDir, 'check_nothing')}" does not exist`],
        ['check_notexec', '"check_notexec" is not executable'],
        ['check_dir', '"check_dir" is not a file'],
        ['plugins/check_inside', 'must be a plugin name ("check_tcp") or an absolute path, not the relative path "plugins/check_inside"'],
        ['check tcp', '"check tcp" is not a plugin name (letters, digits, "_", ".", "+", "-")'],
        ['', `must name a plugin in the allowed directories (${dirs}), e.g. "check_tcp", or give its absolute path`],
      ];
      for (const [target, problem] of cases) assert.equal(check.validateTarget(target), problem, target);
    });

    it('refuses the command wrappers negate and urlize, which would run anything', { skip: skipDebian }, () => {
      assert.equal(check.validateTarget('negate'), '"negate" runs another command given in its arguments and is not allowed');
      assert.equal(
        check.validateTarget(`${DEBIAN_PLUGINS}/urlize`),
        '"urlize" runs another command given in its arguments and is not allowed',
      );
    });

    it('checks again when it runs, and never starts a refused plugin', async () => {
      const result = await check.run('check_link_out', { args: [] }, context());
      assert.equal(result.status, 'down');
      assert.match(result.message, /^unknown: cannot run: "check_link_out" is outside the allowed plugin directories/);
      const onlyDebian = new NagiosCheck();
      assert.deepEqual(onlyDebian.allowedDirs, [DEBIAN_PLUGINS]);
      assert.match(
        (await onlyDebian.run('check_inside', { args: [] }, context())).message,
        /^unknown: cannot run: no plugin "check_inside"/,
      );
    });
  });

  describe('through the API', { skip: skipDebian }, () => {
    let server: PulseServer;
    before(async () => {
      server = await PulseServer.start();
    });
    after(() => server?.dispose());

    it('refuses a path outside the allowed directories with a 400 on target, and runs check_dummy as a monitor', async () => {
      const token = server.adminToken;
      const refused = await server.request('POST', '/api/monitors', { token, json: { name: 'Shell', type: 'nagios', target: '/bin/sh' } });
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.json.message, `target: "/bin/sh" is outside the allowed plugin directories (${DEBIAN_PLUGINS})`);

      const created = await server.request('POST', '/api/monitors', {
        token,
        json: {
          name: 'Dummy',
          type: 'nagios',
          target: 'check_dummy',
          options: { args: ['1', 'disk almost full'] },
          interval: 5,
          timeout: 4,
        },
      });
      assert.equal(created.status, 201, created.text);
      const monitor = await waitUntil('the nagios monitor to report', async () => {
        const seen = await server.request('GET', `/api/monitors/${created.json.id}`, { token });
        return seen.json.status === 'warning' ? seen.json : null;
      });
      assert.equal(monitor.status, 'warning');
    });
  });

  describe('[plugins] nagios_dirs of the server', () => {
    let server: PulseServer;
    before(async () => {
      script('check_own', 'echo "OWN OK - from my directory|time=0.250s;;;0"; exit 0');
      server = await PulseServer.start({ config: `[plugins]\nnagios_dirs = [${JSON.stringify(pluginDir)}]\n` });
    });
    after(() => server?.dispose());

    it('runs plugins from the configured directories only', async () => {
      const token = server.adminToken;
      const outside = await server.request('POST', '/api/monitors', {
        token,
        json: { name: 'Debian dummy', type: 'nagios', target: `${DEBIAN_PLUGINS}/check_dummy`, options: { args: ['0'] } },
      });
      assert.equal(outside.status, 400, outside.text);
      assert.deepEqual(outside.json.fields, {
        target: `"${DEBIAN_PLUGINS}/check_dummy" is outside the allowed plugin directories (${pluginDir})`,
      });

      const created = await server.request('POST', '/api/monitors', {
        token,
        json: { name: 'Own', type: 'nagios', target: 'check_own', interval: 5, timeout: 4 },
      });
      assert.equal(created.status, 201, created.text);
      const monitor = await waitUntil('the monitor of a plugin in nagios_dirs to report', async () => {
        const seen = await server.request('GET', `/api/monitors/${created.json.id}`, { token });
        return seen.json.status === 'up' ? seen.json : null;
      });
      assert.equal(monitor.status, 'up');
    });

    it('refuses a relative directory at start, naming the key', async () => {
      const refused = await PulseServer.start({ config: '[plugins]\nnagios_dirs = ["plugins/nagios"]\n' }).then(
        (started) => started.dispose().then(() => assert.fail('a relative nagios_dirs entry was accepted')),
        (error: Error) => error.message,
      );
      assert.match(refused, /plugins\.nagios_dirs = \["plugins\/nagios"\] \(line 2\): must be a list of absolute directories/);
    });
  });
});
