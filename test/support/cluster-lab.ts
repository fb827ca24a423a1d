import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NginxPeer } from '../peers/nginx.js';
import { PulseServer } from '../peers/pulse-server.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { freePort } from './ports.js';
import { TcpRelay } from './tcp-relay.js';
import { waitUntil } from './wait.js';

export interface ClusterServerView {
  id: string;
  name: string;
  state: 'active' | 'fenced' | 'unreachable' | 'stopped';
  shards: number;
  this_server: boolean;
  work: Record<string, number | boolean>;
}

export interface ClusterLabOptions {
  servers: number;
  /** TOML for every server, after `[database] url` (which the lab writes). */
  config: string;
  /** Servers (by index) that reach PostgreSQL through a TcpRelay the test can freeze. */
  relayed?: number[];
  leaseSeconds?: number;
  /** A database of the test's own (e.g. a PostgresPeer it may freeze) instead of a fresh one in the shared cluster. */
  databaseUrl?: string;
  /** How long a server may take to listen (default that of PulseServer; a bench on a loaded machine waits longer). */
  startTimeoutMs?: number;
}

/**
 * Several real Pulse servers of one installation on a fresh database in the test PostgreSQL, started one
 * after the other (the first prints the admin token), optionally behind one nginx, each named `srv<N>`
 * with an event log in its data directory. Stopped (or killed) by pid.
 */
export class ClusterLab {
  readonly servers: (PulseServer | null)[] = [];
  readonly relays = new Map<number, TcpRelay>();
  nginx: NginxPeer | null = null;
  adminToken = '';

  private constructor(
    private readonly database: TestDatabase | null,
    private readonly options: ClusterLabOptions,
  ) {}

  static available(): boolean {
    return Boolean(process.env.PULSE_TEST_POSTGRES_URL);
  }

  static async start(options: ClusterLabOptions): Promise<ClusterLab> {
    const lab = new ClusterLab(options.databaseUrl ? null : await createTestDatabase('postgres'), options);
    try {
      for (let index = 0; index < options.servers; index++) await lab.startServer(index);
      await lab.waitBalanced(options.servers);
    } catch (error) {
      await lab.dispose();
      throw error;
    }
    return lab;
  }

  get databaseUrl(): string {
    return this.options.databaseUrl ?? (this.database!.target as { url: string }).url;
  }

  name(index: number): string {
    return `srv${index + 1}`;
  }

  server(index: number): PulseServer {
    const server = this.servers[index];
    if (!server) throw new Error(`${this.name(index)} is not running`);
    return server;
  }

  async startServer(index: number): Promise<PulseServer> {
    let url = this.databaseUrl;
    if (this.options.relayed?.includes(index)) {
      const target = new URL(url);
      let relay = this.relays.get(index);
      if (!relay) {
        relay = await TcpRelay.start(Number(target.port));
        this.relays.set(index, relay);
      }
      target.port = String(relay.port);
      url = target.toString();
    }
    const config = `[database]\nurl = "${url}"\n[cluster]\nname = "${this.name(index)}"\nlease_seconds = ${this.options.leaseSeconds ?? 10}\n${this.options.config}`;
    const server = await PulseServer.start({ config, env: { PULSE_EVENTLOG_PATH: 'events.log' }, startTimeoutMs: this.options.startTimeoutMs });
    this.servers[index] = server;
    this.adminToken ||= server.adminToken ?? '';
    return server;
  }

  /** nginx in front of every server started so far, at `prefix`; `public_url` must have been set to `publicUrl(port, prefix)`. */
  async startNginx(port: number, prefix: string): Promise<NginxPeer> {
    const ports = this.servers.filter((server) => server !== null).map((server) => Number(new URL(server!.baseUrl).port));
    this.nginx = await NginxPeer.start({ port, upstreamPort: ports[0]!, upstreamPorts: ports, prefix });
    return this.nginx;
  }

  static async freePort(): Promise<number> {
    return freePort();
  }

  async overview(via?: number): Promise<{ servers: ClusterServerView[] }> {
    const index = via ?? this.servers.findIndex((server) => server !== null);
    const answer = await this.server(index).request('GET', '/api/cluster', { token: this.adminToken });
    if (answer.status !== 200) throw new Error(`GET /api/cluster on ${this.name(index)}: ${answer.status} ${answer.text}`);
    return answer.json;
  }

  /** Waits until `count` servers are active and hold every shard, each its fair share. */
  async waitBalanced(count: number, timeoutMs = 60_000): Promise<ClusterServerView[]> {
    return waitUntil(
      `${count} active servers sharing the 64 shards`,
      async () => {
        const { servers } = await this.overview().catch(() => ({ servers: [] as ClusterServerView[] }));
        const active = servers.filter((server) => server.state === 'active');
        const total = active.reduce((sum, server) => sum + server.shards, 0);
        const fair = Math.floor(64 / count);
        return active.length === count && total === 64 && active.every((server) => server.shards >= fair) ? active : null;
      },
      timeoutMs,
    );
  }

  /** The server deciding the most (checks it runs, services and alarms it judges). */
  async busiest(): Promise<number> {
    const { servers } = await this.overview();
    const load = (view: ClusterServerView) =>
      ['monitors', 'services', 'alarms', 'pollers', 'agents'].reduce((sum, key) => sum + Number(view.work[key] ?? 0), 0);
    const best = servers.filter((view) => view.state === 'active').sort((a, b) => load(b) - load(a))[0]!;
    return Number(best.name.replace('srv', '')) - 1;
  }

  /** kill -9: no goodbye, no flush. */
  async kill(index: number): Promise<void> {
    await this.server(index).process.kill();
  }

  /** Every line of a server's event log (`[eventlog]`: one JSON object per state change). */
  eventLog(index: number): Record<string, unknown>[] {
    const server = this.servers[index] ?? this.stoppedServers.get(index);
    if (!server) return [];
    let text = '';
    try {
      text = readFileSync(path.join(server.dataDir, 'events.log'), 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Servers killed or stopped, kept for their logs. */
  private readonly stoppedServers = new Map<number, PulseServer>();

  forget(index: number): void {
    const server = this.servers[index];
    if (server) this.stoppedServers.set(index, server);
    this.servers[index] = null;
  }

  output(): string {
    return [...this.servers.entries(), ...this.stoppedServers.entries()]
      .filter(([, server]) => server)
      .map(([index, server]) => `=== ${this.name(index)} ===\n${server!.process.stderr.split('\n').slice(-60).join('\n')}`)
      .join('\n');
  }

  async dispose(): Promise<void> {
    await this.nginx?.stop().catch(() => undefined);
    for (const relay of this.relays.values()) relay.thaw();
    for (const server of [...this.servers, ...this.stoppedServers.values()]) await server?.dispose().catch(() => undefined);
    for (const relay of this.relays.values()) await relay.stop().catch(() => undefined);
    await this.database?.dispose().catch(() => undefined);
  }
}
