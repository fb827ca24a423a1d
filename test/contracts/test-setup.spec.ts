import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runCommand } from '../support/processes.js';

const runner = fileURLToPath(new URL('../run.js', import.meta.url));

/**
 * `npm test` on a machine without the Debian peers, for a user who does not install them: one line per
 * missing program saying what needs it and how to get it, and those tests skipped with the same words
 * in the summary — never an opaque `spawn … ENOENT`. (As root the runner installs them instead, which
 * .ci/run relies on.)
 */
describe('npm test without its Debian peers', () => {
  it('names each missing program once and skips the tests that need it, saying why', async () => {
    // A PATH holding only node: nc, curl, openssl, fping … are all "missing".
    const bin = mkdtempSync(path.join(os.tmpdir(), 'pulse-bare-path-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    try {
      // PULSE_TEST_INSTALL=never: what a user without root sees (as root, npm test would install them).
      const env = { PATH: bin, HOME: os.tmpdir(), LANG: 'C.UTF-8', PULSE_TEST_INSTALL: 'never' };
      const result = await runCommand(process.execPath, [runner, 'plugins/checks/ssl/', 'plugins/checks/ping/'], { env });
      assert.match(
        result.stdout,
        /^openssl is not installed: needed by the ssl check tests \(openssl s_server\); install it with `apt-get install openssl`$/m,
      );
      assert.match(result.stdout, /^fping is not installed: needed by the ping check tests; install it with `apt-get install fping`$/m);
      assert.equal(result.stdout.match(/^fping is not installed/gm)?.length, 1, 'one line per program');
      assert.match(result.stdout, /^ {2}- skipped 2: fping is not installed: needed by the ping check tests/m);
      assert.match(result.stdout, /^ {2}- skipped 1: openssl is not installed: .*\(suite "ssl check against openssl s_server"\)$/m);
      assert.match(result.stdout, /0 failed, 0 cancelled/);
      assert.doesNotMatch(result.stdout + result.stderr, /ENOENT/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
