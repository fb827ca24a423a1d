import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type TestProcess } from '../support/processes.js';

const distRoot = fileURLToPath(new URL('../../', import.meta.url));
export const SERVER_ENTRY = path.join(distRoot, 'app', 'entry', 'server.js');
export const ADMIN_TOKEN_PATTERN =
  /\[LILLYDOO Pulse\] Admin token generated: (sw_admin_[0-9a-f]{64})\n\[LILLYDOO Pulse\] Save this token - it will not be shown again\.\n/;

export interface PulseServerOptions {
  /** Reuse a data directory (to test restarts); a fresh temp one otherwise. */
  dataDir?: string;
  /** TOML text written to a config file passed with --config. */
  config?: string;
  /** Extra environment; listeners default to 127.0.0.1:0 so tests never collide. */
  env?: Record<string, string>;
  args?: string[];
  /** Run this executable instead of `node dist/app/entry/server.js` (the single-executable test). */
  executable?: string;
  /** Run with exactly `env` (default: nothing at all) — listeners and data dir must then come from `config`. */
  cleanEnv?: boolean;
  cwd?: string;
  /** The address the test reaches the server at (a namespace's veth address); 127.0.0.1 by default. */
  host?: string;
  /** How long to wait for "HTTP listening" (default 60 s: a start takes ~1 s, but far longer on a loaded machine). */
  startTimeoutMs?: number;
  /** Runs the command through this prefix (`['ip', 'netns', 'exec', ns]`: the server inside a namespace). */
  wrap?: string[];
  /** Flags for Node itself when the server runs from source (`--cpu-prof` for a benchmark). */
  nodeArgs?: string[];
}

/** A real Pulse server process on loopback, stopped by pid. */
export class PulseServer {
  private constructor(
    readonly process: TestProcess,
    readonly baseUrl: string,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    /** The statsd listeners' bound ports (127.0.0.1). */
    readonly udpPort: number,
    readonly tcpPort: number,
  ) {}

  static async start(options: PulseServerOptions = {}): Promise<PulseServer> {
    const ownsDataDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'pulse-data-'));
    const args = [...(options.args ?? [])];
    if (options.config !== undefined) {
      const file = path.join(dataDir, '..', `${path.basename(dataDir)}.toml`);
      writeFileSync(file, options.config);
      args.push('--config', file);
    }
    const env = options.cleanEnv
      ? { ...options.env }
      : {
          ...process.env,
          PULSE_DATA_DIR: dataDir,
          PULSE_HTTP_LISTEN: '127.0.0.1:0',
          PULSE_UDP_LISTEN: '127.0.0.1:0',
          PULSE_TCP_LISTEN: '127.0.0.1:0',
          ...options.env,
        };
    let [command, commandArgs] = options.executable
      ? [options.executable, args]
      : [process.execPath, [...(options.nodeArgs ?? []), SERVER_ENTRY, ...args]];
    if (options.wrap) [command, commandArgs] = [options.wrap[0]!, [...options.wrap.slice(1), command, ...commandArgs]];
    const child = startProcess(command, commandArgs, { env, cwd: options.cwd ?? dataDir, label: 'pulse server' });
    try {
      const match = await child.waitForOutput(/HTTP listening on (?:\[[^\]]+\]|[^:\s]+):(\d+)/, options.startTimeoutMs ?? 60_000);
      const udp = /statsd UDP listening on (?:\[[^\]]+\]|[^:\s]+):(\d+)/.exec(child.stderr);
      const tcp = /statsd TCP listening on (?:\[[^\]]+\]|[^:\s]+):(\d+)/.exec(child.stderr);
      return new PulseServer(
        child,
        `http://${options.host ?? '127.0.0.1'}:${match[1]}`,
        dataDir,
        ownsDataDir,
        Number(udp?.[1] ?? 0),
        Number(tcp?.[1] ?? 0),
      );
    } catch (error) {
      await child.stop();
      throw error;
    }
  }

  /** The first-run admin token, if this start printed one. */
  get adminToken(): string | null {
    return ADMIN_TOKEN_PATTERN.exec(this.process.stdout)?.[1] ?? null;
  }

  async request(
    method: string,
    urlPath: string,
    options: { token?: string | null; json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${this.baseUrl}${urlPath}`, { method, headers, body });
    const text = await response.text();
    let json: any = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON; `text` has it
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }

  /** Stops the server and removes its data directory if this helper made it. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
