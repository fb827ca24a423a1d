import os from 'node:os';
import type { Clock } from '../runtime/clock.js';
import { EXIT_CONFIG, StartupError } from '../runtime/startup-error.js';
import { PULSE_VERSION } from '../runtime/version.js';
import type { ClusterRepository } from './cluster.repository.js';

/** How often the one server says it is still there, and how long a silent row still counts. */
const HEARD_MS = 5_000;
const SILENT_MS = 20_000;

/**
 * On SQLite one server decides everything, so a second server on the same database file must not start:
 * the running one keeps its row in `cluster_servers` fresh, and a start that finds a fresh row of a live
 * process is refused, naming it. Rows of processes that are gone (same host, pid not running) or silent
 * for longer than SILENT_MS are cleared.
 */
export class SqliteMembership {
  private timer: NodeJS.Timeout | null = null;
  private id: string | null = null;

  constructor(
    private readonly repository: ClusterRepository,
    private readonly clock: Clock,
    /** The database file, as the refusal names it. */
    private readonly file: string,
  ) {}

  /** Refuses the start if another live server uses the file; else writes this server's row and keeps it fresh. */
  async join(server: { id: string; name: string }, current: () => { work: string; address: string }): Promise<void> {
    const now = this.clock.now();
    const host = os.hostname();
    const gone: string[] = [];
    for (const row of await this.repository.activeServers()) {
      const sameHostDead = row.host === host && !isRunning(row.pid);
      if (sameHostDead || now - row.heardAt > SILENT_MS) {
        gone.push(row.id);
        continue;
      }
      throw new StartupError(
        `another Pulse server (pid ${row.pid} on ${row.host}, started ${new Date(row.startedAt).toISOString()}) is using ${this.file}. ` +
          'SQLite serves one server: stop the other one first, or run several servers on one PostgreSQL ([database] url).',
        { exitCode: EXIT_CONFIG },
      );
    }
    await this.repository.removeServers(gone);
    const { work, address } = current();
    await this.repository.insertServer({
      id: server.id,
      name: server.name,
      host,
      pid: process.pid,
      version: PULSE_VERSION,
      address,
      lockKey: 0,
      startedAt: now,
      heardAt: now,
      stoppedAt: null,
      work,
    });
    this.id = server.id;
    this.timer = setInterval(() => {
      const { work: nowWork, address: nowAddress } = current();
      this.repository.heard(server.id, this.clock.now(), nowWork, nowAddress).catch(() => undefined);
    }, HEARD_MS);
    this.timer.unref();
  }

  /** A clean stop: the row says so, and the next start need not wait for it to go silent. */
  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.id) await this.repository.stopped(this.id, this.clock.now()).catch(() => undefined);
  }
}

/** Whether a process of this host is still running (EPERM: it is, under another user). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
