import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { postgresBinDir } from '../support/debian-peers.js';
import { freePort } from '../support/ports.js';
import { runCommand } from '../support/processes.js';

/**
 * A throwaway PostgreSQL cluster on a loopback port, data in a temp directory, run as a non-root user
 * (the `postgres` account when we are root). Started once by the test runner; each test makes its own
 * database in it. Stopped by the postmaster's pid.
 */
export class PostgresPeer {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly user: string,
    private readonly osUser: string | null,
  ) {}

  static binDir(): string | null {
    return postgresBinDir();
  }

  static async start(): Promise<PostgresPeer> {
    const bin = PostgresPeer.binDir();
    if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-pg-'));
    const osUser = process.getuid?.() === 0 ? 'postgres' : null;
    if (osUser) {
      const uid = Number(execFileSync('id', ['-u', osUser]).toString());
      const gid = Number(execFileSync('id', ['-g', osUser]).toString());
      chownSync(dir, uid, gid);
      chmodSync(dir, 0o700);
    }
    const port = await freePort();
    const peer = new PostgresPeer(dir, port, 'pulse', osUser);
    const data = path.join(dir, 'data');
    await peer.run(path.join(bin, 'initdb'), ['-D', data, '-U', 'pulse', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    await peer.run(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    return peer;
  }

  get url(): string {
    return `postgres://${this.user}@127.0.0.1:${this.port}/postgres`;
  }

  databaseUrl(name: string): string {
    return `postgres://${this.user}@127.0.0.1:${this.port}/${name}`;
  }

  get pid(): number {
    return Number(readFileSync(path.join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /**
   * Freezes the whole database (SIGSTOP to the postmaster and every backend): connections stay open but
   * nothing answers, as when the machine or the network under it stops. `thaw()` lets it go on.
   */
  freeze(): void {
    this.signal('SIGSTOP');
  }

  thaw(): void {
    this.signal('SIGCONT');
  }

  private signal(signal: NodeJS.Signals): void {
    for (const pid of this.processes()) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone meanwhile
      }
    }
  }

  /** The postmaster and its descendants, by pid (from /proc). */
  private processes(): number[] {
    const parents = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // gone meanwhile
      }
    }
    let postmaster: number;
    try {
      postmaster = this.pid;
    } catch {
      return [];
    }
    const found = [postmaster];
    for (let index = 0; index < found.length; index++)
      for (const [pid, parent] of parents) if (parent === found[index] && !found.includes(pid)) found.push(pid);
    return found;
  }

  async stop(): Promise<void> {
    let pid: number;
    try {
      pid = this.pid;
    } catch {
      return;
    }
    process.kill(pid, 'SIGINT'); // "fast" shutdown
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(command: string, args: string[]): Promise<unknown> {
    if (this.osUser) return runCommand('runuser', ['-u', this.osUser, '--', command, ...args], { cwd: this.dir });
    return runCommand(command, args, { cwd: this.dir });
  }
}
