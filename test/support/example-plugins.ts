import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExamples } from '../../scripts/build-examples.js';
import { buildPluginSdk } from '../../scripts/build-sdk.js';
import type { PulseServer } from '../peers/pulse-server.js';
import type { TestProcess } from './processes.js';
import { waitUntil } from './wait.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The examples of examples/plugins built as they would be installed: `<dir>/checks/tcp-banner/`,
 * `<dir>/alerters/ntfy/`, `<dir>/collectors/processes/`, compiled against SDK types generated for this
 * run. They are compiled under build/ (inside the checkout, where the SDK types find class-validator's)
 * and then moved to a temporary directory outside it, as an installed plugin is: nothing of the
 * checkout's node_modules is within their reach. Each test process has its own copy.
 */
export function buildExamplePlugins(): { work: string; pluginsDir: string; remove(): void } {
  mkdirSync(path.join(repoRoot, 'build'), { recursive: true });
  const compile = mkdtempSync(path.join(repoRoot, 'build', 'test-drop-ins-'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'pulse-drop-ins-'));
  try {
    const sdkTypes = buildPluginSdk({ outDir: path.join(compile, 'sdk-types') });
    buildExamples({ into: path.join(compile, 'plugins'), sdkTypes });
    cpSync(path.join(compile, 'plugins'), path.join(work, 'plugins'), { recursive: true });
  } finally {
    rmSync(compile, { recursive: true, force: true });
  }
  return { work, pluginsDir: path.join(work, 'plugins'), remove: () => rmSync(work, { recursive: true, force: true }) };
}

/** One way a drop-in can be broken: a [plugins] dir holding the built examples with one of them spoiled. */
export interface BrokenDropIn {
  what: string;
  dir: string;
  /** The folder the refusal must name. */
  folder: string;
  /** The reason, after "<folder>: ". */
  reason: RegExp;
}

/** Copies of the built examples, each with the tcp-banner check broken in one way (every failure class). */
export function brokenDropIns(pluginsDir: string, into: string): BrokenDropIn[] {
  const copy = (name: string) => {
    const dir = path.join(into, name);
    cpSync(pluginsDir, dir, { recursive: true });
    return { dir, check: path.join(dir, 'checks', 'tcp-banner') };
  };
  const edit = (file: string, change: (text: string) => string) => writeFileSync(file, change(readFileSync(file, 'utf8')));
  const broken: BrokenDropIn[] = [];

  const syntax = copy('syntax-error');
  edit(path.join(syntax.check, 'dist', 'tcp-banner.config.js'), (text) => `${text}\nconst unfinished = ;\n`);
  broken.push({
    what: 'a syntax error',
    dir: syntax.dir,
    folder: syntax.check,
    reason: /^syntax error in dist\/index\.js or a file it imports: Unexpected token ';'/,
  });

  const builtInId = copy('built-in-id');
  const port = path.join(builtInId.dir, 'checks', 'port');
  renameSync(builtInId.check, port);
  broken.push({
    what: 'the id of a built-in',
    dir: builtInId.dir,
    folder: port,
    reason: /^a built-in check is called "port" \(plugins\/checks\/port\); give the drop-in another id$/,
  });

  const twice = copy('declared-twice');
  const second = path.join(twice.dir, 'checks', 'tcp-banner-2');
  cpSync(twice.check, second, { recursive: true });
  broken.push({ what: 'the id of another drop-in', dir: twice.dir, folder: second, reason: /^check id "tcp-banner" is declared twice/ });

  const major = copy('sdk-major');
  edit(path.join(major.check, 'package.json'), (text) => text.replace(/"\^1\.\d+\.\d+"/, '"^2.0.0"'));
  broken.push({
    what: 'another SDK major',
    dir: major.dir,
    folder: major.check,
    reason: /^built for plugin SDK \^2\.0\.0, this Pulse provides SDK 1\.\d+\.\d+: it needs a newer Pulse$/,
  });

  const noExport = copy('no-default-export');
  edit(path.join(noExport.check, 'dist', 'index.js'), (text) =>
    text.replace('export default TcpBannerCheckModule;', 'export { TcpBannerCheckModule };'),
  );
  broken.push({
    what: 'no default-exported module',
    dir: noExport.dir,
    folder: noExport.check,
    reason: /^dist\/index\.js must default-export the plugin's module/,
  });
  return broken;
}

/**
 * Asserts that a start was refused for `item` as a user must see it: exit code 78, the broken folder
 * named with the reason (other folders may be named too), no stack trace.
 */
export function assertRefused(refused: { code: number; stderr: string }, item: BrokenDropIn, label: string): void {
  assert.equal(refused.code, 78, `${label}, ${item.what}: ${refused.stderr}`);
  const reasons = refused.stderr
    .split('\n')
    .filter((line) => line.startsWith(`  ${item.folder}: `))
    .map((line) => line.slice(item.folder.length + 4));
  assert.ok(
    reasons.some((reason) => item.reason.test(reason)),
    `${label}, ${item.what}: ${item.folder} and ${item.reason} in\n${refused.stderr}`,
  );
  assert.doesNotMatch(refused.stderr, /\n\s+at /, `${label}, ${item.what}: no stack trace`);
}

/** A loopback TCP service that greets every connection with `banner` (an SSH or SMTP server would). */
export async function bannerServer(banner: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end(`${banner}\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What the poller logs about its plugins when the examples are in its `[plugins] dir`: the check, and no alerter or collector. */
export const POLLER_PLUGINS = /plugins: checks: dns, http, nagios, ping, port, snmp, ssl, tcp-banner \(drop-in 1\.0\.0\)\n/;

/**
 * A poller with the built examples in `[plugins] dir` runs the example check for a monitor of that type
 * assigned to it, and its results reach the server: a poller token made through the API, the poller
 * started by `start` (from source or the executable) with a poller.conf naming the server, a tcp-banner
 * monitor assigned to it; the monitor's `poller:<id>` source comes up with the banner as its message and
 * the result is among the monitor's results. The poller is stopped by pid and the monitor deleted.
 */
export async function assertPollerRunsExampleCheck(options: {
  server: PulseServer;
  adminToken: string;
  pluginsDir: string;
  scratch: string;
  banner: { port: number; text: string };
  start: (configFile: string, dataDir: string) => TestProcess;
}): Promise<void> {
  const { server, adminToken: token, banner } = options;
  const made = await server.request('POST', '/api/tokens', { token, json: { name: `drop-in poller ${Date.now()}`, type: 'poller' } });
  assert.equal(made.status, 201, made.text);
  const dataDir = mkdtempSync(path.join(options.scratch, 'poller-data-'));
  const configFile = `${dataDir}.conf`;
  writeFileSync(
    configFile,
    [
      `server = ${JSON.stringify(`${server.baseUrl}/`)}`,
      `token = ${JSON.stringify(made.json.token)}`,
      `name = "Drop-in Office ${path.basename(dataDir)}"`,
      'location = "Lab"',
      `data_dir = ${JSON.stringify(dataDir)}`,
      '[plugins]',
      `dir = ${JSON.stringify(options.pluginsDir)}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const poller = options.start(configFile, dataDir);
  let monitorId: number | null = null;
  try {
    await poller.waitForOutput(POLLER_PLUGINS, 60_000);
    const pollerId = Number((await poller.waitForOutput(/registered as poller (\d+)/, 60_000))[1]);
    const created = await server.request('POST', '/api/monitors', {
      token,
      json: {
        name: 'Relay seen from the lab',
        type: 'tcp-banner',
        target: `127.0.0.1:${banner.port}`,
        options: { expect: banner.text.split(' ').at(-1) },
        interval: 5,
        timeout: 4,
        pollers: [pollerId],
      },
    });
    assert.equal(created.status, 201, created.text);
    monitorId = created.json.id as number;
    // The poller fetches its task list every 30 s: the new monitor is among its tasks within that.
    const source = await waitUntil(
      "the poller's source of the tcp-banner monitor to come up",
      async () => {
        const seen = await server.request('GET', `/api/monitors/${monitorId}`, { token });
        const mine = (seen.json.sources as { source: string; status: string }[]).find((item) => item.source === `poller:${pollerId}`);
        return mine?.status === 'up' ? mine : null;
      },
      120_000,
    ).catch((error: Error) => assert.fail(`${error.message}; the poller said:\n${poller.stderr}`));
    assert.deepEqual(source, {
      ...source,
      name: `Drop-in Office ${path.basename(dataDir)}`,
      location: 'Lab',
      status: 'up',
      message: banner.text,
    });
    // The live state changes as a result is taken; the result row follows with the next write batch.
    const results = await waitUntil('the result among the monitor results', async () => {
      const answer = await server.request('GET', `/api/monitors/${monitorId}/results?source=poller:${pollerId}`, { token });
      return answer.json.results.length > 0 ? answer.json.results : null;
    });
    assert.equal(results[0].message, banner.text);
    assert.match(poller.stderr, /tasks: 1 monitor\(s\) to check \(1 new/);
  } finally {
    await poller.stop();
    if (monitorId !== null) await server.request('DELETE', `/api/monitors/${monitorId}`, { token });
  }
}
