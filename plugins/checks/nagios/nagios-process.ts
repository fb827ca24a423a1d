import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Output read from a plugin; more is read and discarded (so it never blocks on a full pipe) and counted. */
export const OUTPUT_LIMIT_BYTES = 64 * 1024;
/** stderr is only a fallback message and a hint in details. */
const STDERR_LIMIT_BYTES = 4 * 1024;
/** Between SIGTERM and SIGKILL for the process group; well inside the scheduler's 2 s grace after a timeout. */
export const KILL_GRACE_MS = 1000;
/** After the plugin exits, how long a grandchild that left the group may hold our pipes open. */
const PIPE_DRAIN_MS = 500;

/** What Nagios gives a plugin: a known PATH and the C locale, so output (decimal points, words) is predictable. */
export const PLUGIN_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
};

export interface ProcessRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (ENOENT, EACCES…). */
  spawnError: NodeJS.ErrnoException | null;
  /** Why the process group was killed, if it was: the monitor's timeout, or Pulse stopping. */
  stoppedFor: 'timeout' | 'abort' | null;
  stdout: string;
  stderr: string;
  /** stdout bytes past OUTPUT_LIMIT_BYTES, read and thrown away. */
  droppedBytes: number;
  durationMs: number;
}

/**
 * Runs `file` with `args` (no shell: nothing in an argument is interpreted) in a process group of its own.
 * When `signal` aborts, the whole group gets SIGTERM, then SIGKILL after KILL_GRACE_MS; when the plugin
 * exits, children it left behind in the group are killed as well.
 */
export function runInProcessGroup(options: {
  file: string;
  argv0: string;
  args: readonly string[];
  signal: AbortSignal;
}): Promise<ProcessRun> {
  const { file, argv0, args, signal } = options;
  return new Promise((resolve) => {
    const started = performance.now();
    const stdout = new CappedBuffer(OUTPUT_LIMIT_BYTES);
    const stderr = new CappedBuffer(STDERR_LIMIT_BYTES);
    let stoppedFor: ProcessRun['stoppedFor'] = null;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const child = spawn(file, [...args], {
      argv0,
      cwd: '/',
      env: { ...PLUGIN_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so the plugin and its children are killed as one
      shell: false,
    });
    const killGroup = (killSignal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, killSignal);
      } catch {
        // the group is gone already
      }
    };
    const onAbort = () => {
      if (exit || stoppedFor) return;
      stoppedFor = (signal.reason as Error | undefined)?.name === 'TimeoutError' ? 'timeout' : 'abort';
      killGroup('SIGTERM');
      timers.push(setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS));
    };
    const finish = (spawnError: NodeJS.ErrnoException | null) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      for (const timer of timers) clearTimeout(timer);
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        spawnError,
        stoppedFor,
        stdout: stdout.text(),
        stderr: stderr.text(),
        droppedBytes: stdout.dropped,
        durationMs: performance.now() - started,
      });
    };

    child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish(error); // never started; once started, 'exit' reports the outcome
    });
    child.once('exit', (code, exitSignal) => {
      exit = { code, signal: exitSignal };
      // The plugin is done: what it left running in its group goes too, which also closes our pipes.
      killGroup('SIGKILL');
      timers.push(
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish(null);
        }, PIPE_DRAIN_MS),
      );
    });
    // 'close' comes after 'exit' once both pipes are drained: all output read.
    child.once('close', () => (exit ? finish(null) : undefined));

    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Keeps the first `limit` bytes, counts the rest. */
class CappedBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    const room = this.limit - this.kept;
    if (room > 0) {
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(room, 0));
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
