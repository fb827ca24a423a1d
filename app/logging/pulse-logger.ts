import type { LoggerService } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const SEVERITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };
const DAEMON_FACILITY = 3;
/** Nest's start-up narration (every module and route): useful with --debug, noise otherwise. */
const FRAMEWORK_CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LogSink {
  write(level: LogLevel, context: string, message: string): void;
  close(): Promise<void>;
}

/** Plain lines on stderr: journald adds its own timestamps, a terminal user still wants them. */
export class StderrSink implements LogSink {
  write(level: LogLevel, context: string, message: string): void {
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${context}] ${message}\n`);
  }
  async close(): Promise<void> {}
}

/**
 * The local syslog through util-linux `logger --prio-prefix`, which reads "<PRI>text" lines on stdin.
 * A child process instead of a native addon keeps the single executable free of another .node file.
 */
export class SyslogSink implements LogSink {
  private readonly child: ChildProcess;
  private readonly fallback = new StderrSink();
  private failed = false;

  constructor(tag: string, socketPath: string) {
    this.child = spawn('logger', ['--prio-prefix', '--socket-errors=off', '-t', tag, `--id=${process.pid}`, '-u', socketPath], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    this.child.on('error', (error) => {
      this.failed = true;
      this.fallback.write('warn', 'Logger', `--syslog: cannot run "logger" (${error.message}); logging to stderr`);
    });
    this.child.stdin?.on('error', () => {
      this.failed = true;
    });
  }

  write(level: LogLevel, context: string, message: string): void {
    if (this.failed || !this.child.stdin?.writable) {
      this.fallback.write(level, context, message);
      return;
    }
    const priority = DAEMON_FACILITY * 8 + SEVERITY[level];
    const lines = message.split(/\r?\n/).map((line) => `<${priority}>[${context}] ${line}\n`);
    this.child.stdin.write(lines.join(''));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failed || !this.child.stdin) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}

/** Nest's logger interface over a sink, with a level threshold (`--debug` lowers it to debug). */
export class PulseLogger implements LoggerService {
  constructor(
    private readonly sink: LogSink,
    private readonly threshold: LogLevel = 'info',
  ) {}

  isEnabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.threshold];
  }

  log(message: unknown, context?: string): void {
    this.emit(context !== undefined && FRAMEWORK_CHATTER.has(context) ? 'debug' : 'info', message, context);
  }
  warn(message: unknown, context?: string): void {
    this.emit('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.emit('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.emit('debug', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.emit('error', message, context);
  }
  /** Nest calls error(message, stack, context) or error(message, context). */
  error(message: unknown, ...rest: unknown[]): void {
    const strings = rest.filter((item): item is string => typeof item === 'string');
    const context =
      strings.length > 1 ? strings[strings.length - 1] : strings.length === 1 && !strings[0]!.includes('\n') ? strings[0] : undefined;
    const stack = strings.find((item) => item.includes('\n'));
    this.emit('error', stack ? `${text(message)}\n${stack}` : message, context);
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private emit(level: LogLevel, message: unknown, context?: string): void {
    if (!this.isEnabled(level)) return;
    this.sink.write(level, context ?? 'Pulse', text(message));
  }
}

function text(message: unknown): string {
  if (message instanceof Error) return message.stack ?? message.message;
  if (typeof message === 'string') return message;
  return JSON.stringify(message);
}

export function createLogger(options: { debug: boolean; syslog: boolean; tag: string; syslogSocket?: string }): PulseLogger {
  const sink = options.syslog ? new SyslogSink(options.tag, options.syslogSocket ?? '/dev/log') : new StderrSink();
  return new PulseLogger(sink, options.debug ? 'debug' : 'info');
}
