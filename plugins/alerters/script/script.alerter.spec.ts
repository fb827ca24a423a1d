import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { ALL_EVENTS, alarmError, hostile } from '../../../test/fixtures/alert-events.js';
import { assertGolden } from '../../../test/support/golden.js';
import { rejectionOf } from '../../../test/support/plugin-errors.js';
import { ScriptAlerter } from './script.alerter.js';
import { ScriptConfig } from './script.config.js';

const alerter = new ScriptAlerter();
const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-script-'));
const logged: string[] = [];
const logger = { debug() {}, info: (line: string) => void logged.push(line), warn: (line: string) => void logged.push(`WARN ${line}`) };
const context = (timeoutMs = 30_000) => createPluginContext({ timeoutMs, logger });

function script(name: string, body: string): ScriptConfig {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return Object.assign(new ScriptConfig(), { path: file });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('script alerter', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the environment as the golden files say', () => {
    for (const [name, event] of Object.entries(ALL_EVENTS)) {
      const { env } = alerter.render(event, Object.assign(new ScriptConfig(), { path: '/bin/true' }));
      assertGolden(
        `plugins/alerters/script/golden/${name}.env`,
        Object.entries(env)
          .map(([key, value]) => `${key}=${value}`)
          .join('\n') + '\n',
      );
    }
  });

  it("runs with no arguments and Lovebeat's variables, inheriting Pulse's environment", async () => {
    const out = path.join(dir, 'env.out');
    const settings = script('env.sh', `echo "args=$#" > ${out}; env >> ${out}; echo hello from the script`);
    process.env.PULSE_TEST_INHERITED = 'yes';
    await alerter.send(alerter.render(alarmError, settings), settings, context());
    const seen = readFileSync(out, 'utf8');
    assert.match(seen, /^args=0$/m);
    for (const line of [
      'LOVEBEAT_ALARM=backup-jobs',
      'LOVEBEAT_STATE=ERROR',
      'LOVEBEAT_PREVIOUS_STATE=OK',
      'LOVEBEAT_INCIDENT=4',
      'PULSE_KIND=alarm',
      'PULSE_TEST_INHERITED=yes',
    ]) {
      assert.ok(seen.split('\n').includes(line), line);
    }
    assert.ok(
      logged.some((line) => line.endsWith('env.sh stdout: hello from the script')),
      'stdout reaches the log',
    );
  });

  it('never interprets what is in a name or message', async () => {
    const marker = path.join(dir, 'pwned');
    const settings = script('quiet.sh', 'exit 0');
    const event = { ...hostile, name: `$(touch ${marker})`, message: `\`touch ${marker}\`; touch ${marker}` };
    await alerter.send(alerter.render(event, settings), settings, context());
    assert.equal(existsSync(marker), false);
  });

  it('reports a failing script with its exit code and last stderr line; 75 is temporary', async () => {
    const failing = script('fail.sh', 'echo "relay down" >&2; exit 3');
    const error = await rejectionOf(alerter.send(alerter.render(alarmError, failing), failing, context()));
    assert.equal(error.temporary, false);
    assert.match(error.message, /exited with code 3: relay down$/);
    const tempfail = script('tempfail.sh', 'exit 75');
    assert.equal((await rejectionOf(alerter.send(alerter.render(alarmError, tempfail), tempfail, context()))).temporary, true);
  });

  it('kills a hanging script and its children after the time limit', async () => {
    const pidFile = path.join(dir, 'hang.pid');
    const settings = script('hang.sh', `sleep 300 & echo $! > ${pidFile}; sleep 300`);
    const started = Date.now();
    const error = await rejectionOf(alerter.send(alerter.render(alarmError, settings), settings, context(1500)));
    assert.equal(error.temporary, true);
    assert.match(error.message, /did not finish within 1\.5 s and was killed/);
    assert.ok(Date.now() - started < 10_000, 'stopped at the context timeout, well before the child would end');
    const child = Number(readFileSync(pidFile, 'utf8'));
    for (let attempt = 0; attempt < 50 && alive(child); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(child), false, 'the background child was killed with the group');
  });

  it('finishes when the script exits even if it forked a child that keeps the pipes open', async () => {
    const pidFile = path.join(dir, 'fork.pid');
    const settings = script('fork.sh', `sleep 300 & echo $! > ${pidFile}; exit 0`);
    await alerter.send(alerter.render(alarmError, settings), settings, context());
    const child = Number(readFileSync(pidFile, 'utf8'));
    for (let attempt = 0; attempt < 50 && alive(child); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(child), false, 'leftover children are killed');
  });

  it('reads huge output to the end and logs only the first part', async () => {
    logged.length = 0;
    const settings = script(
      'loud.sh',
      'i=0; while [ $i -lt 200000 ]; do echo "line $i of a very chatty alert script"; i=$((i+1)); done; echo done >&2',
    );
    await alerter.send(alerter.render(alarmError, settings), settings, context());
    const stdoutLines = logged.filter((line) => !line.startsWith('WARN') && line.includes('loud.sh stdout:'));
    assert.equal(stdoutLines.length, 50);
    assert.ok(logged.some((line) => /^WARN .*loud\.sh stdout: \d+ more line\(s\) and \d+ more byte\(s\) not logged$/.test(line)));
  });

  it('says when the script is missing or not executable (permanent)', async () => {
    const missing = Object.assign(new ScriptConfig(), { path: path.join(dir, 'nope.sh') });
    const notFound = await rejectionOf(alerter.send(alerter.render(alarmError, missing), missing, context()));
    assert.equal(notFound.temporary, false);
    assert.match(notFound.message, /does not exist/);
    const plain = path.join(dir, 'plain.sh');
    writeFileSync(plain, '#!/bin/sh\nexit 0\n');
    chmodSync(plain, 0o644);
    const settings = Object.assign(new ScriptConfig(), { path: plain });
    const notExecutable = await rejectionOf(alerter.send(alerter.render(alarmError, settings), settings, context()));
    assert.match(notExecutable.message, /is not executable \(chmod a\+x\)/);
  });
});
