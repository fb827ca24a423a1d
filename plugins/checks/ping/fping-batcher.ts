import { spawn } from 'node:child_process';

/** What fping saw for one host: one entry per echo request, the round-trip time or null when lost. */
export type PingOutcome = { ok: true; rtts: (number | null)[] } | { ok: false; message: string };

export interface PingRequest {
  host: string;
  count: number;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Requests arriving within this window share one fping process. */
const BATCH_WINDOW_MS = 100;
/** Most hosts in one fping process (at 1 ms between packets a round takes 0.2 s). */
const MAX_BATCH = 200;
/** Time kept free at the end of the monitor's timeout for fping to report. */
const REPORT_MARGIN_MS = 250;

interface Waiter {
  resolve(outcome: PingOutcome): void;
  signal: AbortSignal;
}

interface Batch {
  count: number;
  periodMs: number;
  replyTimeoutMs: number;
  hosts: Map<string, Waiter[]>;
  timer: NodeJS.Timeout | null;
}

/**
 * Many ping checks, few processes: requests that arrive close together (and ask for the same count and
 * timing) go to one `fping -C` run, whose per-host lines are handed back to each caller. This is what lets
 * one server ping thousands of hosts a minute on two cores. fping needs CAP_NET_RAW (see README).
 */
export class FpingBatcher {
  private readonly open = new Map<string, Batch>();

  constructor(private readonly command = 'fping') {}

  ping(request: PingRequest): Promise<PingOutcome> {
    const timing = pingTiming(request.count, request.timeoutMs);
    const key = `${request.count}/${timing.periodMs}/${timing.replyTimeoutMs}`;
    let batch = this.open.get(key);
    if (!batch) {
      batch = { count: request.count, ...timing, hosts: new Map(), timer: null };
      this.open.set(key, batch);
      const scheduled = batch;
      batch.timer = setTimeout(() => this.launch(key, scheduled), BATCH_WINDOW_MS);
    }
    return new Promise((resolve) => {
      const waiters = batch.hosts.get(request.host) ?? [];
      waiters.push({ resolve, signal: request.signal });
      batch.hosts.set(request.host, waiters);
      if (batch.hosts.size >= MAX_BATCH) {
        clearTimeout(batch.timer!);
        this.launch(key, batch);
      }
    });
  }

  private launch(key: string, batch: Batch): void {
    if (this.open.get(key) === batch) this.open.delete(key);
    const hosts = [...batch.hosts.keys()];
    const args = [
      '-C',
      String(batch.count),
      '-q',
      '-p',
      String(batch.periodMs),
      '-t',
      String(batch.replyTimeoutMs),
      '-i',
      '1',
      '-B',
      '1',
      '-r',
      '0',
      '--',
      ...hosts,
    ];
    const child = spawn(this.command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const settle = (host: string, outcome: PingOutcome) => {
      for (const waiter of batch.hosts.get(host) ?? []) waiter.resolve(outcome);
      batch.hosts.delete(host);
    };
    // Stop early when every caller has given up (their timeouts passed).
    const giveUp = () => {
      for (const [host, waiters] of batch.hosts) {
        const live = waiters.filter((waiter) => !waiter.signal.aborted);
        if (live.length === 0) batch.hosts.delete(host);
        else batch.hosts.set(host, live);
      }
      if (batch.hosts.size === 0) child.kill('SIGTERM');
    };
    for (const waiters of batch.hosts.values())
      for (const waiter of waiters) waiter.signal.addEventListener('abort', giveUp, { once: true });

    let buffered = '';
    let lastProblem = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const parsed = parseFpingLine(line);
        if (parsed && batch.hosts.has(parsed.host)) settle(parsed.host, parsed.outcome);
        else if (line.trim() !== '' && !/^ICMP /.test(line)) lastProblem = line.trim();
      }
    });
    const finishAll = (message: string) => {
      for (const host of [...batch.hosts.keys()]) settle(host, { ok: false, message });
    };
    child.once('error', (error: NodeJS.ErrnoException) =>
      finishAll(
        error.code === 'ENOENT' ? `${this.command} is not installed (apt-get install fping)` : `${this.command} failed: ${error.message}`,
      ),
    );
    child.once('close', () => {
      const parsed = parseFpingLine(buffered);
      if (parsed && batch.hosts.has(parsed.host)) settle(parsed.host, parsed.outcome);
      finishAll(lastProblem ? `fping: ${lastProblem}` : 'fping reported nothing for this host');
    });
  }
}

/**
 * fping's timing from the monitor's: `count` echo requests spaced by the period, the last one waited for
 * up to the reply timeout, all within the monitor's timeout.
 */
export function pingTiming(count: number, timeoutMs: number): { periodMs: number; replyTimeoutMs: number } {
  const budget = Math.max(100, timeoutMs - REPORT_MARGIN_MS);
  const periodMs = Math.max(20, Math.min(1000, Math.floor(budget / (count + 1))));
  const replyTimeoutMs = Math.max(50, Math.min(2000, budget - (count - 1) * periodMs));
  return { periodMs, replyTimeoutMs };
}

/** `host : 0.04 - 0.05` (one value per request, `-` lost) or `host: Name or service not known`. */
export function parseFpingLine(line: string): { host: string; outcome: PingOutcome } | null {
  const counts = /^(\S+)\s+: ((?:[\d.]+|-)(?: (?:[\d.]+|-))*)\s*$/.exec(line);
  if (counts)
    return { host: counts[1]!, outcome: { ok: true, rtts: counts[2]!.split(' ').map((value) => (value === '-' ? null : Number(value))) } };
  const failed = /^(\S+): (.*(?:not known|No address|Temporary failure|not found).*)$/i.exec(line.trim());
  if (failed) return { host: failed[1]!, outcome: { ok: false, message: `host not found: ${failed[1]}` } };
  return null;
}
