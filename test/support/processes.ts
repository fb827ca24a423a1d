import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * A helper process a test started. It is stopped by pid (SIGTERM, then SIGKILL after a grace period)
 * and its output is kept for assertions and for failure messages.
 */
export class TestProcess {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;
  /** Resolves once the process has exited *and* its stdout/stderr are read to the end. */
  readonly exited: Promise<void>;
  private finished = false;

  constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
      });
      onceComplete(child, () => {
        this.finished = true;
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitCode === null && this.signal === null;
  }

  /** Resolves when `pattern` appears on stdout or stderr; rejects if the process exits first or time runs out. */
  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.stdout) ?? pattern.exec(this.stderr);
      if (match) return match;
      if (this.finished)
        throw new Error(`${this.label} exited (${this.exitCode ?? this.signal}) before printing ${pattern}:\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`${this.label} did not print ${pattern} within ${timeoutMs} ms:\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  output(): string {
    return `--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return this.exited;
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) process.kill(this.pid, 'SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (!this.running) return this.exited;
    process.kill(this.pid, 'SIGKILL');
    await this.exited;
  }
}

export function startProcess(command: string, args: string[], options: SpawnOptions & { label?: string } = {}): TestProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  return new TestProcess(child, options.label ?? command);
}

/** Runs a command to completion and returns its output; rejects on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    let code: number | null = null;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.once('exit', (exitCode) => (code = exitCode));
    onceComplete(child, () => {
      if (code === 0) resolve({ stdout, stderr, code });
      else reject(Object.assign(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stdout}\n${stderr}`), { stdout, stderr, code }));
    });
  });
}

/** Longest wait for the pipes after the process exited: a daemon it started may keep them open. */
const PIPE_GRACE_MS = 2000;

/**
 * Calls `done` once the child has exited and its output pipes are closed ('close', not 'exit': on
 * 'exit' the last of stdout/stderr may still be unread). If something the child left running keeps
 * the pipes open, `done` runs PIPE_GRACE_MS after the exit with what was read by then.
 */
export function onceComplete(child: ChildProcess, done: () => void): void {
  let called = false;
  const finish = () => {
    if (called) return;
    called = true;
    done();
  };
  child.once('close', finish);
  child.once('exit', () => {
    setTimeout(() => {
      if (called) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish();
    }, PIPE_GRACE_MS).unref();
  });
}
