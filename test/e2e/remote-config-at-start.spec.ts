import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../support/processes.js';

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

  for (const role of ['poller', 'agent'] as const) {
    it(`the ${role} starts on a good file and says what it cannot do yet`, async () => {
      const file = configFile(`${role}-good.conf`, `server = "https://pulse.example.com/"\ntoken = "${TOKENS[role]}"\n`);
      const result = await run(role, ['--config', file]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^lillydoo-pulse-${role} \\d+\\.\\d+\\.\\d+: .* not part of this build yet\\n$`));
      assert.doesNotMatch(result.stderr, new RegExp(TOKENS[role]), 'the token is never logged');
    });

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
    const file = configFile('poller-typo.conf', `server = "https://pulse.example.com/"\ntoken = "${TOKENS.poller}"\nlocaton = "Berlin"\n`);
    const result = await run('poller', ['--config', file], { PULSE_NAME: 'from-env' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Unknown configuration key "locaton" \(line 3\) ignored/);
    assert.match(result.stderr, /name "from-env"/);
  });

  it('refuses an invalid environment value naming the variable', async () => {
    const file = configFile('agent-env.conf', `server = "https://pulse.example.com/"\ntoken = "${TOKENS.agent}"\n`);
    const result = await run('agent', ['--config', file], { PULSE_INTERVAL: 'often' });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /interval = "often" \(environment PULSE_INTERVAL\): must be a whole number/);
  });
});
