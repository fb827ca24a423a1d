import 'reflect-metadata';
import { EXECUTABLE_NAMES } from '../cli/command-line.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { runExecutable } from './run-executable.js';

/** The host agent: flags and version work now; collecting and reporting metrics arrives with its issue. */
void runExecutable('agent', async () => {
  process.stdout.write(`${EXECUTABLE_NAMES.agent} ${PULSE_VERSION}: metric collection is not part of this build yet\n`);
});
