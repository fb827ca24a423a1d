import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoggerService } from '@nestjs/common';
import { IsInt, IsString, Min } from 'class-validator';
import { VirtualTimers } from '../../test/fakes/virtual-timers.js';
import type { CheckMeta, CheckPlugin, CheckResult, PluginContext } from '../plugin-host/contracts.js';
import type { RegisteredCheck } from '../plugin-host/plugin-registry.js';
import { CheckRunner, type CheckCatalog } from './check-runner.js';
import { CheckTaskError, parseCheckTask, type CheckOutcome, type CheckTask } from './check-task.js';

let configsMade = 0;
class EchoConfig {
  @IsString() answer = 'up';
  @Min(0) @IsInt() failures = 0;
  constructor() {
    configsMade++;
  }
}

/** A check plugin in plain code: says what its options tell it to, logging each run through its context. */
class EchoCheck implements CheckPlugin<EchoConfig> {
  runs = 0;
  validateTarget(): string | null {
    return null;
  }
  async run(target: string, config: EchoConfig, context: PluginContext): Promise<CheckResult> {
    this.runs++;
    context.logger.debug(`checking ${target}`);
    const status = this.runs <= config.failures ? 'down' : (config.answer as CheckResult['status']);
    return { status, latencyMs: 1, message: `${target} said ${status}` };
  }
}

function catalogOf(plugin: EchoCheck): CheckCatalog {
  const meta: CheckMeta<EchoConfig> = {
    id: 'echo',
    title: 'Echo',
    config: EchoConfig,
    example: {},
    target: { label: 'Anything', placeholder: 'x' },
    form: { fields: [] },
  };
  const registered: RegisteredCheck = {
    kind: 'check',
    id: 'echo',
    meta,
    plugin,
    folder: 'plugins/checks/echo',
    roles: ['server', 'poller'],
  };
  return { check: (id) => (id === 'echo' ? registered : undefined) };
}

/** Log lines by context, as Nest's logger gets them. */
function capturingLogger(): LoggerService & { lines: { context: string; message: string }[] } {
  const lines: { context: string; message: string }[] = [];
  const push = (message: unknown, context?: unknown) => lines.push({ context: String(context), message: String(message) });
  return { lines, log: push, warn: push, error: push, debug: push };
}

function harness() {
  const timers = new VirtualTimers();
  const plugin = new EchoCheck();
  const logger = capturingLogger();
  const outcomes: CheckOutcome[] = [];
  const runner = new CheckRunner({
    plugins: catalogOf(plugin),
    consumer: { onCheckOutcome: (outcome) => outcomes.push(outcome) },
    maxConcurrent: 10,
    logger,
    timers,
  });
  return { timers, plugin, logger, outcomes, runner };
}

const task = (overrides: Partial<CheckTask> = {}): CheckTask => ({
  id: 7,
  type: 'echo',
  target: 'db-1',
  options: {},
  interval: 60,
  timeout: 10,
  retries: 1,
  ...overrides,
});

describe('check runner', () => {
  it('runs a task given as JSON and hands each outcome to its consumer', async () => {
    const { timers, outcomes, runner } = harness();
    const json =
      '{"id": 42, "type": "echo", "target": "shop", "options": {"answer": "warning"}, "interval": 30, "timeout": 5, "retries": 0}';
    assert.equal(runner.upsert(parseCheckTask(JSON.parse(json))), null);
    await timers.advance(5000);
    assert.equal(outcomes.length, 1, 'the first check within 5 s');
    await timers.advance(3 * 30_000);
    assert.ok(outcomes.length >= 3, 'then every 30 s');
    assert.deepEqual(outcomes[0]!.task, JSON.parse(json));
    assert.deepEqual(outcomes[0]!.result, { status: 'warning', latencyMs: 1, message: 'shop said warning' });
    assert.equal(outcomes[2]!.startedAt - outcomes[1]!.startedAt, 30_000);
    await runner.stop();
  });

  it('validates the options once per upsert, never per run', async () => {
    const { timers, plugin, runner } = harness();
    const before = configsMade;
    runner.upsert(task({ interval: 5 }));
    await timers.advance(60_000);
    assert.ok(plugin.runs >= 10, `${plugin.runs} runs`);
    assert.equal(configsMade - before, 1, 'one config built for all those runs');
    runner.upsert(task({ interval: 5, options: { answer: 'down' } }));
    assert.equal(configsMade - before, 2, 'an edit validates again');
    await runner.stop();
  });

  it('re-checks a failing target after 20 s before it counts as down', async () => {
    const { timers, outcomes, runner } = harness();
    runner.upsert(task({ options: { failures: 1 } }));
    await timers.advance(30_000);
    assert.deepEqual(
      outcomes.map((outcome) => [outcome.result.status, outcome.attempts]),
      [['up', 2]],
    );
    await runner.stop();
  });

  it('reports a task of an unknown type or with invalid options as down, saying why, and tells the caller at upsert', async () => {
    const { timers, outcomes, runner } = harness();
    assert.deepEqual(runner.upsert(task({ id: 1, type: 'nope' })), {
      reason: 'unknown-type',
      message: 'no check plugin "nope" is installed',
    });
    const invalid = runner.upsert(task({ id: 2, options: { failures: -1, colour: 'red' } }));
    assert.equal(invalid?.reason, 'invalid-options');
    assert.deepEqual(new Set(invalid?.fields?.map((field) => field.field)), new Set(['failures', 'colour']));
    await timers.advance(30_000);
    const byId = new Map(outcomes.map((outcome) => [outcome.task.id, outcome.result]));
    assert.deepEqual(byId.get(1), { status: 'down', latencyMs: null, message: 'no check plugin "nope" is installed' });
    assert.equal(byId.get(2)?.message, 'the monitor options are not valid for its check type; edit the monitor');
    await runner.stop();
  });

  it('gives the plugin its own logger, named after it', async () => {
    const { timers, logger, runner } = harness();
    runner.upsert(task());
    await timers.advance(5000);
    assert.deepEqual(
      logger.lines.filter((line) => line.message === 'checking db-1').map((line) => line.context),
      ['plugin:echo'],
    );
    await runner.stop();
  });

  it('stops running a removed task, and keeps a prepared task to upsert again (pause, resume)', async () => {
    const { timers, plugin, runner } = harness();
    const prepared = runner.prepare(task());
    assert.deepEqual(prepared.config, Object.assign(new EchoConfig(), { answer: 'up', failures: 0 }), 'the defaults are filled in');
    runner.upsert(prepared);
    await timers.advance(5000);
    runner.remove(7);
    await timers.advance(5 * 60_000);
    assert.equal(plugin.runs, 1);
    assert.equal(runner.has(7), false);
    runner.upsert(prepared, { runSoon: true });
    await timers.advance(5000);
    assert.equal(plugin.runs, 2);
    await runner.stop();
  });

  it('refuses a task of the wrong shape, naming the field', () => {
    assert.throws(() => parseCheckTask([]), CheckTaskError);
    assert.throws(() => parseCheckTask({ ...task(), interval: '60' }), /check task 7: "interval" must be a whole number of at least 1/);
    assert.throws(() => parseCheckTask({ ...task(), target: null }), /"target" must be a string/);
    assert.throws(() => parseCheckTask({ ...task(), options: [1] }), /"options" must be a JSON object/);
    assert.deepEqual(parseCheckTask({ ...task(), options: undefined }).options, {}, 'no options: the defaults');
  });
});
