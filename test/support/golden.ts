import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../app/runtime/project-files.js';

/**
 * Compares rendered output with a golden file in the source tree (e.g. plugins/alerters/mail/golden/x.txt).
 * PULSE_UPDATE_GOLDEN=1 rewrites the files; review the diff before committing it.
 */
export function assertGolden(relativePath: string, actual: string): void {
  const file = path.join(projectRoot, relativePath);
  if (process.env.PULSE_UPDATE_GOLDEN === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `${relativePath} does not exist; run the test with PULSE_UPDATE_GOLDEN=1 to create it, then review it`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${relativePath} differs (PULSE_UPDATE_GOLDEN=1 rewrites it)`);
}
