import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/ports.js';
import { runCommand, startProcess } from '../support/processes.js';

const distRoot = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-remote-start-'));
const TOKENS = { poller: `sw_poller_${'12'.repeat(32)}`, agent: `sw_agent_${'34'.repeat(32)}` };

async function run(role: 'poller' | 'agent', args: string[], env: Record<string, string> = {}) {
  const entry = path.join(distRoot, 'app', 'entry', `${role}.js`);
  try {
    return await runCommand(process.execPath, [entry, ...args], { env: { PATH: process.env.PATH, ...env }, cwd: dir });
  } catch (error) {
    return error as { stdout: string; stderr: string; code: number };
  }
}

function configFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** SPEC §4, §5: the poller and the agent read and check their file at start; a bad one is refused naming the key. */
describe('poller and agent configuration at start', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A poller on a good file runs until stopped; nothing listens at its server (a closed loopback port). */
  async function startPoller(text: string, env: Record<string, string> = {}) {
    const port = await freePort();
    const file = configFile(
      `poller-${port}.conf`,
      `server = "http://127.0.0.1:${port}/"\ndata_dir = "${path.join(dir, `poller-${port}`)}"\n${text}`,
    );
    const entry = path.join(distRoot, 'app', 'entry', 'poller.js');
    const poller = startProcess(process.execPath, [entry, '--config', file], {
      env: { PATH: process.env.PATH, ...env },
      cwd: dir,
      label: 'poller',
    });
    try {
      await poller.waitForOutput(
        /cannot register: server http:\/\/127\.0\.0\.1:\d+ unreachable \(connection refused\); trying again with backoff/,
      );
    } finally {
      await poller.stop();
    }
    return poller;
  }

  it('the poller starts on a good file and keeps trying to reach its server; SIGTERM stops it', async () => {
    const poller = await startPoller(`token = "${TOKENS.poller}"\n`);
    assert.equal(poller.exitCode, 0, poller.output());
    assert.doesNotMatch(poller.stderr, new RegExp(TOKENS.poller), 'the token is never logged');
  });

  it('the agent starts on a good file, says what it reports and where, and never logs its token', async () => {
    // Nothing listens on 127.0.0.1:1: the agent keeps its reports in its outbox under data_dir.
    const file = configFile(
      'agent-good.conf',
      `server = "http://127.0.0.1:1/"\ntoken = "${TOKENS.agent}"\ndata_dir = "${path.join(dir, 'agent-data')}"\n`,
    );
    const agent = startProcess(process.execPath, [path.join(distRoot, 'app', 'entry', 'agent.js'), '--config', file], {
      env: { PATH: process.env.PATH },
      cwd: dir,
      label: 'agent',
    });
    try {
      await agent.waitForOutput(/reporting every 30 s to http:\/\/127\.0\.0\.1:1 with cpu, disk, load, memory, network, uptime/);
    } finally {
      await agent.stop();
    }
    assert.equal(agent.exitCode ?? agent.signal, 'SIGTERM', agent.output());
    assert.doesNotMatch(agent.output(), new RegExp(TOKENS.agent), 'the token is never logged');
  });

  it('the agent refuses a collector that is not installed, naming the key and the installed ones', async () => {
    const file = configFile(
      'agent-collectors.conf',
      `server = "http://127.0.0.1:1/"\ntoken = "${TOKENS.agent}"\ncollectors = ["cpu", "gpu"]\ndata_dir = "${path.join(dir, 'agent-data')}"\n`,
    );
    const result = await run('agent', ['--config', file]);
    assert.equal(result.code, 78, result.stderr);
    assert.match(
      result.stderr,
      /cannot start: collectors: "gpu" is not an installed collector; installed: cpu, disk, load, memory, network, uptime\n/,
    );
  });

  it('the agent reads a collector’s options from the table named after it: a bad one is refused, a table no collector has is warned about', async () => {
    const lines = [`server = "http://127.0.0.1:1/"`, `token = "${TOKENS.agent}"`, `data_dir = "${path.join(dir, 'agent-data')}"`];
    const bad = configFile('agent-section-bad.conf', [...lines, '[gpu]', 'fan = 1', '[network]', 'net_exclude = 5', ''].join('\n'));
    const refused = await run('agent', ['--config', bad]);
    assert.equal(refused.code, 78, refused.stderr);
    assert.match(refused.stderr, /Unknown configuration key "gpu" \(line 4\) ignored/);
    assert.match(refused.stderr, /cannot start: collector network: network\.net_exclude: must be a list of interface name globs/);

    const good = configFile('agent-section-good.conf', [...lines, '[disk]', 'disks_exclude = ["/boot*"]', 'colour = "red"', ''].join('\n'));
    const agent = startProcess(process.execPath, [path.join(distRoot, 'app', 'entry', 'agent.js'), '--config', good], {
      env: { PATH: process.env.PATH },
      cwd: dir,
      label: 'agent',
    });
    try {
      await agent.waitForOutput(/reporting every 30 s/);
    } finally {
      await agent.stop();
    }
    assert.match(agent.stderr, /Unknown configuration key "disk\.colour" \(line 6\) ignored/);
  });

  for (const role of ['poller', 'agent'] as const) {
    it(`the ${role} refuses a bad file with exit code 78, naming key, value, line and what is allowed`, async () => {
      const file = configFile(`${role}-bad.conf`, `server = "https://pulse.example.com/"\ntoken = "${TOKENS[role]}"\noutbox_max_mb = -5\n`);
      const result = await run(role, ['--config', file]);
      assert.equal(result.code, 78);
      assert.match(
        result.stderr,
        new RegExp(
          `^lillydoo-pulse-${role}: cannot start: Invalid configuration \\(.*${role}-bad\\.conf\\):\\n  outbox_max_mb = -5 \\(line 3\\): must be at least 1`,
        ),
      );
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }

  it('warns about an unknown key with its line and keeps going; takes PULSE_* overrides', async () => {
    const poller = await startPoller(`token = "${TOKENS.poller}"\nlocaton = "Berlin"\n`, { PULSE_NAME: 'from-env' });
    assert.match(poller.stderr, /Unknown configuration key "locaton" \(line 4\) ignored/);
    assert.match(poller.stderr, /name "from-env"/);
  });

  it('refuses an invalid environment value naming the variable', async () => {
    const file = configFile('agent-env.conf', `server = "https://pulse.example.com/"\ntoken = "${TOKENS.agent}"\n`);
    const result = await run('agent', ['--config', file], { PULSE_INTERVAL: 'often' });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /interval = "often" \(environment PULSE_INTERVAL\): must be a whole number/);
  });
});
