import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualTimers } from '../../test/fakes/virtual-timers.js';
import type { CheckResult, CheckStatus, MetricSample } from '../plugin-host/contracts.js';
import { checkRetryRule, failedCheck } from './check-task.js';
import { JobScheduler, type JobOutcome, type ScheduledJob } from './job-scheduler.js';
import { phaseOf, slotAtOrAfter } from './slots.js';

const quiet = { debug() {}, info() {}, warn() {} };
const job = (key: string, overrides: Partial<ScheduledJob> = {}): ScheduledJob => ({
  key,
  intervalMs: 60_000,
  timeoutMs: 10_000,
  retries: 1,
  ...overrides,
});
const result = (status: CheckStatus): CheckResult => ({ status, latencyMs: status === 'down' ? null : 1, message: status });

function harness(
  options: { maxConcurrent?: number; answer?: (key: string, attempt: number) => CheckStatus | 'hang' | 'ignore-abort' } = {},
) {
  const timers = new VirtualTimers();
  const starts: { key: string; at: number }[] = [];
  const outcomes: JobOutcome<ScheduledJob, CheckResult>[] = [];
  const attempts = new Map<string, number>();
  let concurrent = 0;
  let maxSeen = 0;
  const running = new Map<string, number>();
  const scheduler = new JobScheduler<ScheduledJob, CheckResult>({
    maxConcurrent: options.maxConcurrent ?? 100,
    logger: quiet,
    timers,
    retry: checkRetryRule(),
    failed: failedCheck,
    onStart: (started, _dueAt, at) => starts.push({ key: started.key, at }),
    onResult: (outcome) => outcomes.push(outcome),
    run: (ran, context) => {
      const attempt = (attempts.get(ran.key) ?? 0) + 1;
      attempts.set(ran.key, attempt);
      running.set(ran.key, (running.get(ran.key) ?? 0) + 1);
      assert.equal(running.get(ran.key), 1, `${ran.key} never runs twice at once`);
      maxSeen = Math.max(maxSeen, ++concurrent);
      const answer = options.answer?.(ran.key, attempt) ?? 'up';
      const done = () => {
        concurrent--;
        running.set(ran.key, running.get(ran.key)! - 1);
      };
      if (answer === 'ignore-abort') return new Promise<CheckResult>(() => undefined).finally(done);
      if (answer === 'hang') {
        return new Promise<CheckResult>((resolve) => context.signal.addEventListener('abort', () => resolve(result('down')))).finally(done);
      }
      return new Promise<CheckResult>((resolve) => timers.setTimeout(() => resolve(result(answer)), 100)).finally(done);
    },
  });
  return { timers, scheduler, starts, outcomes, maxSeen: () => maxSeen };
}

describe('job scheduler running checks', () => {
  it('runs a new job within 5 s, then every interval on a slot spread by its key', async () => {
    const { timers, scheduler, starts } = harness();
    const created = timers.time;
    const keys = Array.from({ length: 100 }, (_unused, index) => String(index + 1));
    for (const key of keys) scheduler.upsert(job(key));
    await timers.advance(5000);
    assert.equal(starts.length, 100, 'every new job ran within 5 s');
    assert.ok(starts.every((start) => start.at - created <= 5000));
    await timers.advance(4 * 60_000);
    for (const key of keys) {
      const times = starts.filter((start) => start.key === key).map((start) => start.at);
      assert.ok(times.length >= 4, `${key} kept running`);
      for (let index = 2; index < times.length; index++)
        assert.equal(times[index]! - times[index - 1]!, 60_000, `${key} keeps its interval`);
      assert.equal(times[2]! % 60_000, phaseOf(key, 60_000), `${key} runs on its own slot`);
    }
    const secondRound = new Set(keys.map((key) => Math.floor(starts.filter((start) => start.key === key)[2]!.at / 1000)));
    assert.ok(secondRound.size > 30, `monitors created together spread over the interval (${secondRound.size} distinct seconds)`);
    await scheduler.stop();
  });

  it('re-checks a failing job after 20 s before reporting it down, and not again while it stays down', async () => {
    const { timers, scheduler, starts, outcomes } = harness({
      answer: (key, attempt) => (key === 'flaky' ? (attempt === 1 ? 'down' : 'up') : 'down'),
    });
    scheduler.upsert(job('flaky'));
    scheduler.upsert(job('dead'));
    await timers.advance(30_000);
    const flaky = outcomes.filter((outcome) => outcome.job.key === 'flaky');
    assert.deepEqual(
      flaky.map((outcome) => [outcome.result.status, outcome.attempts]),
      [['up', 2]],
      'one failure then success is up',
    );
    const flakyStarts = starts.filter((start) => start.key === 'flaky').map((start) => start.at);
    assert.equal(flakyStarts[1]! - flakyStarts[0]!, 20_100, 'the retry comes 20 s after the failed attempt ended');
    assert.deepEqual(
      outcomes.filter((outcome) => outcome.job.key === 'dead').map((outcome) => [outcome.result.status, outcome.attempts]),
      [['down', 2]],
    );
    await timers.advance(120_000);
    const later = outcomes.filter((outcome) => outcome.job.key === 'dead').slice(1);
    assert.ok(later.length >= 1 && later.every((outcome) => outcome.attempts === 1), 'a job already down is not retried again');
    await scheduler.stop();
  });

  it('honours retries: 0 and retries: 3', async () => {
    const { timers, scheduler, outcomes } = harness({ answer: () => 'down' });
    scheduler.upsert(job('none', { retries: 0 }));
    scheduler.upsert(job('three', { retries: 3 }));
    await timers.advance(80_000);
    const first = (key: string) => outcomes.find((outcome) => outcome.job.key === key)?.attempts;
    assert.deepEqual([first('none'), first('three')], [1, 4]);
    await scheduler.stop();
  });

  it('never runs more than the concurrency limit; due jobs wait their turn', async () => {
    const { timers, scheduler, starts, maxSeen } = harness({ maxConcurrent: 3 });
    for (let index = 0; index < 20; index++) scheduler.upsert(job(`j${index}`, { intervalMs: 5000, timeoutMs: 1000 }));
    await timers.advance(6000);
    assert.equal(maxSeen(), 3);
    assert.equal(new Set(starts.map((start) => start.key)).size, 20, 'every job got its turn');
    await scheduler.stop();
  });

  it('an edit aborts the running attempt, drops its result and runs the new version within 5 s', async () => {
    const { timers, scheduler, outcomes, starts } = harness({ answer: (_key, attempt) => (attempt === 1 ? 'hang' : 'up') });
    scheduler.upsert(job('edited', { timeoutMs: 30_000 }));
    await timers.advance(5000);
    assert.equal(starts.length, 1);
    const editedAt = timers.time;
    scheduler.upsert(job('edited', { timeoutMs: 20_000, intervalMs: 30_000 }));
    await timers.advance(5200);
    assert.equal(starts.length, 2);
    assert.ok(starts[1]!.at - editedAt <= 5000);
    assert.deepEqual(
      outcomes.map((outcome) => [outcome.result.status, outcome.job.intervalMs]),
      [['up', 30_000]],
      'only the new version reports',
    );
    await scheduler.stop();
  });

  it('stops running a removed job and runs it again soon after it is added back (pause, resume)', async () => {
    const { timers, scheduler, starts } = harness();
    scheduler.upsert(job('paused'));
    await timers.advance(5000);
    scheduler.remove('paused');
    await timers.advance(5 * 60_000);
    assert.equal(starts.length, 1);
    scheduler.upsert(job('paused'));
    await timers.advance(5000);
    assert.equal(starts.length, 2);
    await scheduler.stop();
  });

  it('reports a plugin that ignores its timeout as down and frees the slot', async () => {
    const { timers, scheduler, outcomes } = harness({ answer: () => 'ignore-abort', maxConcurrent: 1 });
    scheduler.upsert(job('stuck', { retries: 0, timeoutMs: 3000 }));
    await timers.advance(12_000);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.result.message),
      ['no answer within 3000 ms'],
    );
    assert.equal(scheduler.running, 0);
    await scheduler.stop();
  });

  it('after a restart, resumes at the next slot instead of checking everything at once', async () => {
    const { timers, scheduler, starts } = harness();
    const lastCheckedAt = slotAtOrAfter('kept', 60_000, timers.time - 60_000);
    scheduler.upsert(job('kept'), { runSoon: false, lastRunAt: lastCheckedAt, previous: result('up') });
    scheduler.upsert(job('new'), { runSoon: false, lastRunAt: null });
    scheduler.upsert(job('stale'), { runSoon: false, lastRunAt: timers.time - 3_600_000, previous: result('up') });
    assert.equal(scheduler.nextRunAt('kept'), lastCheckedAt + 60_000, 'the slot after the last check');
    assert.ok(scheduler.nextRunAt('new')! - timers.time <= 5000, 'never checked: soon');
    assert.ok(scheduler.nextRunAt('stale')! - timers.time < 60_000, 'overdue: within a minute');
    await timers.advance(61_000);
    assert.equal(starts.filter((start) => start.key === 'kept').length, 1, 'no double check after the restart');
    await scheduler.stop();
  });
});

describe('job scheduler running collectors', () => {
  it('runs a collector job every interval, with no retry: a failure is reported at once and the next interval tries again', async () => {
    const timers = new VirtualTimers();
    const outcomes: JobOutcome<ScheduledJob, MetricSample[] | Error>[] = [];
    let runs = 0;
    const scheduler = new JobScheduler<ScheduledJob, MetricSample[] | Error>({
      maxConcurrent: 4,
      logger: quiet,
      timers,
      failed: (_job, problem) => (problem === 'timeout' ? new Error('no samples in time') : problem),
      onResult: (outcome) => outcomes.push(outcome),
      run: async () => {
        runs++;
        if (runs === 2) throw new Error('/proc/stat unreadable');
        return [{ metric: 'cpu.percent', value: 12.5 }];
      },
    });
    scheduler.upsert({ key: 'cpu', intervalMs: 30_000, timeoutMs: 10_000, retries: 0 });
    await timers.advance(5000 + 3 * 30_000);
    assert.equal(runs, outcomes.length, 'every run reported once, none retried');
    assert.ok(runs >= 3);
    assert.deepEqual(outcomes[0]!.result, [{ metric: 'cpu.percent', value: 12.5 }]);
    assert.equal((outcomes[1]!.result as Error).message, '/proc/stat unreadable');
    assert.equal(outcomes[2]!.attempts, 1);
    assert.equal(outcomes[2]!.startedAt - outcomes[1]!.startedAt, 30_000, 'the failed run did not move the next one');
    await scheduler.stop();
  });
});
