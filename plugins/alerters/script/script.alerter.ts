import { Injectable } from '@nestjs/common';
import { spawn } from 'node:child_process';
import {
  Alerter,
  cleanLine,
  PluginError,
  stateLabel,
  type AlertEvent,
  type AlerterPlugin,
  type PluginContext,
  type PluginLogger,
} from '../../../app/plugin-host/index.js';
import { ScriptConfig } from './script.config.js';
import { scriptForm } from './script.form.js';

export interface ScriptMessage {
  path: string;
  /** Added to the environment Pulse runs with. */
  env: Record<string, string>;
}

/** SPEC §7 / Lovebeat: a script that runs longer is killed. */
export const SCRIPT_TIME_LIMIT_MS = 10_000;
const KILL_GRACE_MS = 2_000;
/** After the script exits, how long its output pipes may stay open (held by something that left its group). */
const PIPE_GRACE_MS = 1_000;
/** Output kept for the log, per stream; the rest is read and counted, so the script never blocks on a full pipe. */
const LOG_BYTES = 16 * 1024;
const LOG_LINES = 50;
/** sysexits.h EX_TEMPFAIL: a script's way to say "try again later". */
const EXIT_TEMPFAIL = 75;

/**
 * Runs an executable with no arguments and the event in environment variables (Lovebeat's LOVEBEAT_*
 * plus PULSE_*). No shell is involved, so nothing in a name is ever interpreted. The script runs in its
 * own process group: on timeout, and when it exits, the whole group is killed, leftover children included.
 */
@Alerter({
  id: 'script',
  title: 'Script',
  config: ScriptConfig,
  example: { path: '/etc/lillydoo-pulse/alert-scripts/notify.sh' },
  form: scriptForm,
  // Core lets channels made through the API name only executables under [alerting] script_dir.
  executables: ['path'],
  // Lovebeat's `[alerts.NAME] script = "/path"` (or `[alerts.NAME.script] path = "/path"`, as in the API).
  file: { key: 'script', option: 'path' },
})
@Injectable()
export class ScriptAlerter implements AlerterPlugin<ScriptConfig, ScriptMessage> {
  render(event: AlertEvent, config: ScriptConfig): ScriptMessage {
    return {
      path: config.path,
      env: {
        LOVEBEAT_ALARM: cleanLine(event.name, 1000),
        LOVEBEAT_STATE: stateLabel(event.toState),
        LOVEBEAT_PREVIOUS_STATE: stateLabel(event.fromState),
        LOVEBEAT_INCIDENT: event.incidentNumber === null ? '' : String(event.incidentNumber),
        PULSE_KIND: event.kind,
        PULSE_ID: cleanLine(event.id, 200),
        PULSE_NAME: cleanLine(event.name, 1000),
        PULSE_MESSAGE: cleanLine(event.message, 4000),
        PULSE_URL: event.url ?? '',
        PULSE_AT: new Date(event.at).toISOString(),
      },
    };
  }

  send(message: ScriptMessage, _config: ScriptConfig, context: PluginContext): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(message.path, [], {
        env: { ...process.env, ...message.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group, so the group can be killed as one
        shell: false,
      });
      const stdout = new CappedLog('stdout', context.logger, message.path);
      const stderr = new CappedLog('stderr', context.logger, message.path);
      child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));

      let killedFor: 'time limit' | 'abort' | null = null;
      const killGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // the group is already gone
        }
      };
      const stop = (reason: 'time limit' | 'abort') => {
        killedFor ??= reason;
        killGroup('SIGTERM');
        setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
      };
      const limitMs = Math.min(SCRIPT_TIME_LIMIT_MS, context.timeoutMs);
      const timer = setTimeout(() => stop('time limit'), limitMs);
      // The context's own timeout is a time limit too; any other abort means Pulse is stopping.
      const onAbort = () => stop((context.signal.reason as Error | undefined)?.name === 'TimeoutError' ? 'time limit' : 'abort');
      context.signal.addEventListener('abort', onAbort, { once: true });
      const cleanUp = () => {
        clearTimeout(timer);
        context.signal.removeEventListener('abort', onAbort);
      };

      child.once('error', (error: NodeJS.ErrnoException) => {
        cleanUp();
        if (error.code === 'ENOENT') reject(new PluginError(`script ${message.path} does not exist`, false));
        else if (error.code === 'EACCES') reject(new PluginError(`script ${message.path} is not executable (chmod a+x)`, false));
        else reject(new PluginError(`script ${message.path} could not start: ${error.message}`, false));
      });
      child.once('exit', (code, signal) => {
        cleanUp();
        // The script is done; children it left behind (still holding our pipes) go with it. Its last
        // output may still be in the pipes: read them to the end ('close'), unless something that
        // escaped the group keeps them open.
        killGroup('SIGKILL');
        const pipesClosed = new Promise<void>((closed) => {
          child.once('close', () => closed());
          setTimeout(closed, PIPE_GRACE_MS).unref();
        });
        void pipesClosed.then(() => settle(code, signal));
      });
      const settle = (code: number | null, signal: NodeJS.Signals | null) => {
        child.stdout.destroy();
        child.stderr.destroy();
        stdout.flush();
        stderr.flush();
        if (killedFor === 'time limit')
          return reject(new PluginError(`script ${message.path} did not finish within ${limitMs / 1000} s and was killed`, true));
        if (killedFor === 'abort') return reject(new PluginError(`script ${message.path} was stopped (Pulse is shutting down)`, true));
        if (code === 0) return resolve();
        const last = stderr.lastLine();
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new PluginError(`script ${message.path} ${why}${last ? `: ${last}` : ''}`, code === EXIT_TEMPFAIL));
      };
    });
  }
}

/** Collects a stream for the log: at most LOG_BYTES / LOG_LINES are logged, the rest only counted. */
class CappedLog {
  private kept = '';
  private dropped = 0;
  private tail = '';

  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly logger: PluginLogger,
    private readonly path: string,
  ) {}

  add(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    this.tail = (this.tail + text).slice(-500);
    const room = LOG_BYTES - this.kept.length;
    if (room > 0) this.kept += text.slice(0, room);
    this.dropped += Math.max(0, text.length - Math.max(room, 0));
  }

  flush(): void {
    const lines = this.kept.split('\n').filter((line) => line.trim() !== '');
    for (const line of lines.slice(0, LOG_LINES)) this.logger.info(`${this.path} ${this.stream}: ${cleanLine(line, 500)}`);
    const skippedLines = Math.max(0, lines.length - LOG_LINES);
    if (skippedLines > 0 || this.dropped > 0) {
      this.logger.warn(`${this.path} ${this.stream}: ${skippedLines} more line(s) and ${this.dropped} more byte(s) not logged`);
    }
  }

  lastLine(): string {
    const lines = this.tail.split('\n').filter((line) => line.trim() !== '');
    return lines.length > 0 ? cleanLine(lines[lines.length - 1]!, 200) : '';
  }
}
