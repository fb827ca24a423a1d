import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN_DIR, buildBinaries } from '../../scripts/build-binaries.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import { NetnsLab } from './netns-lab.js';
import type { TestProcess } from './processes.js';

/*
 * The seed's picture for the poller tests, in network namespaces:
 *
 *   test process ── root link ── [srv]  the Pulse server (from source), port 5000
 *                                  │ 198.19.<n>.1/30 ── 198.19.<n>.2/30
 *                      [ffm] [luwi] [… one namespace per poller]  the BUILT poller executable
 *                        │      │
 *                      198.19.10.<n>/24 on a bridge in [lan], where the private web server listens
 *                      at 198.19.10.1:80. The server has no way into [lan]: its Public source sees
 *                      "network unreachable".
 *
 * Only 198.18.0.0/15 is used (198.19.x.x is inside it); the root link takes a random /30.
 */

export const INTRANET = 'http://198.19.10.1/';
const SERVER_PORT = 5000;
export const POLLER_EXECUTABLE = path.join(BIN_DIR, 'lillydoo-pulse-poller-linux-x64');

export interface PollerSpec {
  key: string;
  name: string;
  location: string;
  /** Extra poller.conf lines. */
  conf?: string;
}

export class LabPoller {
  id = 0;
  token = '';
  process: TestProcess | null = null;
  /** stderr of every run so far (a killed run's output is kept). */
  readonly logs: string[] = [];
  readonly dataDir: string;
  readonly configFile: string;
  /** Its interface towards the server, in its namespace. */
  serverLink = '';

  constructor(
    readonly spec: PollerSpec,
    readonly namespace: string,
    readonly serverAddress: string,
    private readonly lab: NetnsLab,
    root: string,
  ) {
    this.dataDir = path.join(root, spec.key);
    this.configFile = path.join(root, `${spec.key}.conf`);
  }

  writeConfig(): void {
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(
      this.configFile,
      [
        `server = "http://${this.serverAddress}:${SERVER_PORT}/"`,
        `token = "${this.token}"`,
        `name = "${this.spec.name}"`,
        `location = "${this.spec.location}"`,
        `data_dir = "${this.dataDir}"`,
        this.spec.conf ?? '',
      ].join('\n'),
      { mode: 0o600 },
    );
  }

  /** Starts the built executable in its namespace (with --debug: each queued result is logged). */
  async start(): Promise<void> {
    this.process = this.lab.start(this.namespace, POLLER_EXECUTABLE, ['--config', this.configFile, '--debug'], {
      env: { PATH: process.env.PATH },
      cwd: this.dataDir,
      label: `poller ${this.spec.key}`,
    });
    await this.process.waitForOutput(/registered as poller \d+|cannot register/, 30_000);
  }

  async kill(): Promise<void> {
    await this.process?.kill();
    this.keepLog();
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    this.keepLog();
  }

  /** Every log line so far, this run included. */
  get output(): string {
    return [...this.logs, this.process?.running ? this.process.stderr : ''].join('');
  }

  /** The results it queued, as `monitor|checked_at`, in the order it queued them. */
  queuedResults(): string[] {
    return [...this.output.matchAll(/queued result of monitor (\d+): \w+ \(.*\) checked_at (\S+)\n/g)].map(
      (match) => `${match[1]}|${match[2]}`,
    );
  }

  private keepLog(): void {
    if (this.process) this.logs.push(this.process.stderr);
    this.process = null;
  }
}

export class PollerLab {
  server!: PulseServer;
  admin = '';
  receiver!: HttpReceiver;
  readonly pollers = new Map<string, LabPoller>();
  serverNs = '';
  lanNs = '';
  private rootAddress = { root: '', inside: '' };
  private readonly root = mkdtempSync(path.join(os.tmpdir(), 'pulse-poller-lab-'));
  private readonly serverData = path.join(this.root, 'server');
  private web: TestProcess | null = null;

  private constructor(readonly lab: NetnsLab) {}

  static async start(specs: PollerSpec[]): Promise<PollerLab> {
    await buildBinaries({ roles: ['poller'], arches: ['x64'] });
    const lab = new PollerLab(await NetnsLab.create());
    try {
      await lab.build(specs);
    } catch (error) {
      await lab.dispose();
      throw error;
    }
    return lab;
  }

  private async build(specs: PollerSpec[]): Promise<void> {
    const { lab } = this;
    this.serverNs = await lab.namespace('srv');
    this.lanNs = await lab.namespace('lan');
    this.rootAddress = await lab.rootLink(this.serverNs);
    const bridge = await lab.bridge(this.lanNs, '198.19.10.1/24');
    let index = 0;
    for (const spec of specs) {
      index++;
      const ns = await lab.namespace(spec.key);
      const [, pollerEnd] = await lab.link({ ns: this.serverNs, address: `198.19.${index}.1/30` }, { ns, address: `198.19.${index}.2/30` });
      await lab.plug(ns, `198.19.10.${10 + index}/24`, this.lanNs, bridge);
      const poller = new LabPoller(spec, ns, `198.19.${index}.1`, lab, this.root);
      poller.serverLink = pollerEnd;
      this.pollers.set(spec.key, poller);
    }
    this.web = lab.start(
      this.lanNs,
      process.execPath,
      ['-e', `require('node:http').createServer((q, r) => r.end('intranet')).listen(80, '198.19.10.1', () => console.log('web ready'))`],
      { label: 'private web server' },
    );
    await this.web.waitForOutput(/web ready/);
    this.receiver = await HttpReceiver.start(this.rootAddress.root);
    mkdirSync(this.serverData, { recursive: true });
    await this.startServer();
    this.admin = this.server.adminToken!;
    for (const poller of this.pollers.values()) {
      poller.token = (await this.api('POST', '/api/tokens/', { name: poller.spec.key, type: 'poller' })).json.token;
      poller.writeConfig();
    }
  }

  /** The server in its namespace, on its data dir (kept across restarts). */
  async startServer(): Promise<void> {
    this.server = await PulseServer.start({
      dataDir: this.serverData,
      wrap: ['ip', 'netns', 'exec', this.serverNs],
      host: this.rootAddress.inside,
      env: { PULSE_HTTP_LISTEN: `0.0.0.0:${SERVER_PORT}` },
      config: ['[alerts.pollers]', `webhook = "${this.receiver.url}/pollers"`, '[alerting]', 'storm_threshold = 1000', ''].join('\n'),
      startTimeoutMs: 60_000,
    });
  }

  poller(key: string): LabPoller {
    return this.pollers.get(key)!;
  }

  /** Starts every poller and waits for it to register; names its alerts channel. */
  async startPollers(): Promise<void> {
    for (const poller of this.pollers.values()) {
      await poller.start();
      await poller.process!.waitForOutput(/registered as poller (\d+)/, 60_000);
      poller.id = Number(/registered as poller (\d+)/.exec(poller.output)![1]);
      await this.api('PUT', `/api/pollers/${poller.id}`, { alerts: ['pollers'] });
    }
  }

  api(method: string, urlPath: string, json?: unknown, token: string | null = this.admin) {
    return this.server.request(method, urlPath, { token, json });
  }

  /** Alerts the webhook got for pollers: `[name, to_state]`. */
  pollerAlerts(): { name: string; to_state: string; kind: string; message: string }[] {
    return this.receiver.requests.filter((request) => request.path === '/pollers').map((request) => JSON.parse(request.body));
  }

  async dispose(): Promise<void> {
    for (const poller of this.pollers.values()) await poller.stop().catch(() => undefined);
    // PULSE_TEST_KEEP_LOGS=<dir>: every process's output is kept there, for looking into a failure.
    const keep = process.env.PULSE_TEST_KEEP_LOGS;
    if (keep) {
      mkdirSync(keep, { recursive: true });
      for (const poller of this.pollers.values()) writeFileSync(path.join(keep, `${poller.spec.key}.log`), poller.output);
      if (this.server) writeFileSync(path.join(keep, 'server.log'), this.server.process.stderr);
    }
    await this.server?.stop().catch(() => undefined);
    await this.web?.stop().catch(() => undefined);
    await this.receiver?.stop().catch(() => undefined);
    await this.lab.dispose();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Polls until `check` returns a value (not undefined); for waiting on things, never for timing them. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
