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
    this.emit('error', message, context, stack);
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private emit(level: LogLevel, message: unknown, context?: string, stack?: string): void {
    if (!this.isEnabled(level)) return;
    const frames = stackFrames(stack ?? (message instanceof Error ? message.stack : undefined));
    const line = safeLogText(message instanceof Error ? `${message.name}: ${message.message}` : text(message));
    this.sink.write(level, safeLogText(context ?? 'Pulse'), frames.length > 0 ? `${line}\n${frames.join('\n')}` : line);
  }
}

function text(message: unknown): string {
  if (typeof message === 'string') return message;
  return JSON.stringify(message) ?? String(message);
}

/** The "    at …" lines of a stack trace (each escaped): the only line breaks a log entry may contain. */
function stackFrames(stack: string | undefined): string[] {
  if (!stack) return [];
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .map((line) => safeLogText(line));
}

// C0 controls but tab, DEL, C1 controls and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]+)@/gi;

/**
 * What a log line may contain of a value from outside (service, token and monitor names, targets,
 * statsd lines): control characters escaped, so a name holding CR/LF cannot forge a log line and one
 * holding ESC cannot drive a terminal; credentials in URLs ("https://user:pass@host") replaced.
 */
export function safeLogText(message: string): string {
  let safe = message;
  if (safe.includes('@')) {
    safe = safe.replace(URL_CREDENTIALS, (_whole, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return `${scheme}${colon >= 0 ? `${userinfo.slice(0, colon)}:***` : '***'}@`;
    });
  }
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(safe)) return safe;
  return safe.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0);
    if (code === 10) return '\\n';
    if (code === 13) return '\\r';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function createLogger(options: { debug: boolean; syslog: boolean; tag: string; syslogSocket?: string }): PulseLogger {
  const sink = options.syslog ? new SyslogSink(options.tag, options.syslogSocket ?? '/dev/log') : new StderrSink();
  return new PulseLogger(sink, options.debug ? 'debug' : 'info');
}
