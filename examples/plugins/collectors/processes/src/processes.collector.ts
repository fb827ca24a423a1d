import { readdir, readFile } from 'node:fs/promises';
import { Collector, PluginError, type CollectorPlugin, type MetricSample, type PluginContext } from '@lillydoo-pulse/plugin-sdk';
import { ProcessesConfig } from './processes.config.js';
import { processesForm } from './processes.form.js';

const PROC = '/proc';

/** One process as /proc/<pid>/stat describes it. */
export interface ProcessStat {
  name: string;
  /** R running, S sleeping, D waiting for I/O, Z zombie, T stopped, I idle kernel thread, … */
  state: string;
  threads: number;
}

/**
 * The processes of this host from /proc: `processes.total`, `processes.threads`, `processes.running`
 * (R), `processes.blocked` (D: waiting for I/O that does not come), `processes.zombie` (Z: exited, never
 * reaped by their parent), and `processes.named` with the label `name` for each configured name. Linux only.
 */
@Collector({
  id: 'processes',
  title: 'Processes',
  config: ProcessesConfig,
  example: { names: ['nginx', 'postgres'] },
  form: processesForm,
})
export class ProcessesCollector implements CollectorPlugin<ProcessesConfig> {
  async collect(config: ProcessesConfig, context: PluginContext): Promise<MetricSample[]> {
    let entries: string[];
    try {
      entries = await readdir(PROC);
    } catch (error) {
      throw new PluginError(`cannot read ${PROC}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, false);
    }
    const processes: ProcessStat[] = [];
    for (const pid of entries.filter((entry) => /^\d+$/.test(entry))) {
      if (context.signal.aborted) throw new PluginError(`gave up after ${context.timeoutMs} ms`, true);
      // A process may end between readdir and readFile: it is simply not counted.
      const stat = await readFile(`${PROC}/${pid}/stat`, 'utf8').catch(() => null);
      const parsed = stat === null ? null : parseProcStat(stat);
      if (parsed) processes.push(parsed);
    }
    return samplesOf(processes, config.names);
  }
}

/** `1234 (my (odd) name) S 1 …` → name, state and thread count; null when the line is not one. */
export function parseProcStat(line: string): ProcessStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')'); // the name itself may hold parentheses
  if (open < 0 || close < open) return null;
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // After the name: state is field 3 of stat(5), num_threads field 20.
  const state = fields[0];
  const threads = Number(fields[17]);
  if (!state || !Number.isInteger(threads)) return null;
  return { name: line.slice(open + 1, close), state, threads };
}

export function samplesOf(processes: readonly ProcessStat[], names: readonly string[]): MetricSample[] {
  const inState = (state: string) => processes.filter((process) => process.state === state).length;
  return [
    { metric: 'processes.total', value: processes.length },
    { metric: 'processes.threads', value: processes.reduce((sum, process) => sum + process.threads, 0) },
    { metric: 'processes.running', value: inState('R') },
    { metric: 'processes.blocked', value: inState('D') },
    { metric: 'processes.zombie', value: inState('Z') },
    ...names.map((name) => ({
      metric: 'processes.named',
      value: processes.filter((process) => process.name === name).length,
      labels: { name },
    })),
  ];
}
