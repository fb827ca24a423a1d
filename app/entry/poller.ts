import 'reflect-metadata';
import { EXECUTABLE_NAMES } from '../cli/command-line.js';
import { PULSE_VERSION } from '../runtime/version.js';
import { runExecutable } from './run-executable.js';

/** The network poller: flags and version work now; running assigned checks arrives with its issue. */
void runExecutable('poller', async () => {
  process.stdout.write(`${EXECUTABLE_NAMES.poller} ${PULSE_VERSION}: running checks is not part of this build yet\n`);
});
