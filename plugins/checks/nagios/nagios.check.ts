import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  Check,
  cleanLine,
  PLUGIN_SETTINGS,
  roundMs,
  type CheckPlugin,
  type CheckResult,
  type CheckStatus,
  type PluginContext,
  type PluginSettings,
} from '../../../app/plugin-host/index.js';
import { NagiosConfig } from './nagios.config.js';
import { nagiosForm } from './nagios.form.js';
import { DEFAULT_NAGIOS_DIRS, resolvePluginExecutable } from './nagios-executable.js';
import { latencyFromPerfdata, parsePluginOutput } from './nagios-output.js';
import { runInProcessGroup, type ProcessRun } from './nagios-process.js';

const STATES: Record<number, { status: CheckStatus; state: NagiosState }> = {
  0: { status: 'up', state: 'ok' },
  1: { status: 'warning', state: 'warning' },
  2: { status: 'down', state: 'critical' },
};
type NagiosState = 'ok' | 'warning' | 'critical' | 'unknown';

const MESSAGE_CHARS = 1000;
/** Long output kept in a result's details; the message and perfdata are what matter, this is for reading. */
const LONG_OUTPUT_CHARS = 4000;
const PERFDATA_ITEMS = 100;

/**
 * Runs a Nagios-compatible plugin (Debian's monitoring-plugins, or your own) from the allowed directories
 * with the monitor's arguments and no shell. Exit code 0/1/2 is up/warning/down, 3 or anything else
 * "unknown" (down); the first output line is the message, perfdata goes to details and `time=` to latency.
 */
@Check({
  id: 'nagios',
  title: 'Nagios plugin',
  config: NagiosConfig,
  example: { args: ['-H', '127.0.0.1', '-p', '22'] },
  target: { label: 'Plugin name or path', placeholder: 'check_tcp' },
  form: nagiosForm,
})
@Injectable()
export class NagiosCheck implements CheckPlugin<NagiosConfig> {
  readonly allowedDirs: readonly string[];

  /** The allowed directories are the host's `[plugins] nagios_dirs`; the Debian default when none are given. */
  constructor(@Optional() @Inject(PLUGIN_SETTINGS) settings?: PluginSettings | null) {
    const dirs = settings?.nagios_dirs ?? [];
    this.allowedDirs = dirs.length > 0 ? [...dirs] : DEFAULT_NAGIOS_DIRS;
  }

  validateTarget(target: string): string | null {
    const resolved = resolvePluginExecutable(target, this.allowedDirs);
    return resolved.ok ? null : resolved.problem;
  }

  async run(target: string, config: NagiosConfig, context: PluginContext): Promise<CheckResult> {
    // Resolved again on every run: the server that validated the target may not be the host that runs it.
    const executable = resolvePluginExecutable(target, this.allowedDirs);
    if (!executable.ok) return unknown(`cannot run: ${executable.problem}`, { plugin: target });
    const run = await runInProcessGroup({ file: executable.file, argv0: executable.argv0, args: config.args, signal: context.signal });
    return judge(run, executable.file, context);
  }
}

function judge(run: ProcessRun, plugin: string, context: PluginContext): CheckResult {
  const duration_ms = roundMs(run.durationMs);
  if (run.spawnError) return unknown(`cannot run ${plugin}: ${run.spawnError.message}`, { plugin, duration_ms });

  const output = parsePluginOutput(run.stdout);
  const stderrLine = run.stderr.split('\n').find((line) => line.trim() !== '') ?? '';
  const said = cleanLine(output.message || stderrLine, MESSAGE_CHARS);
  const longOutput = output.longOutput.join('\n');
  const details: Record<string, unknown> = {
    plugin,
    exit_code: run.exitCode,
    state: 'unknown',
    perfdata: output.perfdata.slice(0, PERFDATA_ITEMS),
    duration_ms,
    ...(longOutput.trim() !== '' ? { long_output: longOutput.slice(0, LONG_OUTPUT_CHARS) } : {}),
    ...(output.perfdataSkipped.length > 0 ? { perfdata_skipped: output.perfdataSkipped.slice(0, PERFDATA_ITEMS) } : {}),
    ...(output.perfdata.length > PERFDATA_ITEMS ? { perfdata_dropped: output.perfdata.length - PERFDATA_ITEMS } : {}),
    ...(run.stderr.trim() !== '' ? { stderr: run.stderr.slice(0, LONG_OUTPUT_CHARS) } : {}),
    ...(run.droppedBytes > 0 ? { output_truncated_bytes: run.droppedBytes } : {}),
  };

  if (run.stoppedFor) {
    const why = run.stoppedFor === 'timeout' ? `no answer within ${context.timeoutMs} ms` : 'stopped because Pulse is shutting down';
    return unknown(`${why}, plugin killed${said ? ` (it said: ${said})` : ''}`, { ...details, killed: run.stoppedFor });
  }
  if (run.signal) return unknown(`plugin killed by ${run.signal}${said ? `: ${said}` : ''}`, details);

  const mapped = run.exitCode === null ? undefined : STATES[run.exitCode];
  if (!mapped) {
    const text = said || 'no output';
    // Exit 3 is the plugin saying UNKNOWN itself (usually in its first line); anything else is a broken plugin.
    const message =
      run.exitCode === 3 ? (/^unknown\b/i.test(text) ? text : `unknown: ${text}`) : `unknown: exit code ${run.exitCode}: ${text}`;
    return { status: 'down', latencyMs: null, message, details };
  }
  const latency = latencyFromPerfdata(output.perfdata);
  return {
    status: mapped.status,
    latencyMs: latency === null ? null : roundMs(latency),
    message: said || `${mapped.state.toUpperCase()} (exit code ${run.exitCode}, no output)`,
    details: { ...details, state: mapped.state },
  };
}

function unknown(why: string, details: Record<string, unknown>): CheckResult {
  return { status: 'down', latencyMs: null, message: `unknown: ${why}`, details: { state: 'unknown', ...details } };
}
