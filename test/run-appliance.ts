/**
 * `npm run test:appliance`: installs the Debian tools it needs when they are missing (as root on Debian, the
 * way `npm test` does: APPLIANCE_PEERS in test/support/debian-peers.ts), builds the Debian packages for
 * amd64 and arm64 and the appliance image, then runs the specs in test/appliance/ through test/run.js with
 * PULSE_TEST_APPLIANCE=1, and prints how long each step took.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppliance } from '../scripts/build-appliance.js';
import { buildPackages } from '../scripts/build-packages.js';
import { APPLIANCE_PEERS } from './support/debian-peers.js';
import { ensureDebianPeers } from './support/install-peers.js';

const distRoot = fileURLToPath(new URL('../', import.meta.url));

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error('npm run test:appliance builds a disk image with mmdebstrap as root: run it as root');
    return 1;
  }
  if (!ensureDebianPeers((line) => console.log(line), APPLIANCE_PEERS)) {
    console.error('npm run test:appliance: the Debian packages it needs could not be installed (see above)');
    return 1;
  }
  const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
  let started = Date.now();
  await buildPackages();
  const packagesTook = seconds(started);
  started = Date.now();
  const image = await buildAppliance();
  const imageTook = seconds(started);
  started = Date.now();
  const specs = spawnSync(process.execPath, [path.join(distRoot, 'test', 'run.js'), `${path.sep}test${path.sep}appliance${path.sep}`], {
    stdio: 'inherit',
    env: { ...process.env, PULSE_TEST_APPLIANCE: '1' },
  });
  console.log(
    `\ntest:appliance: packages ${packagesTook}, image ${imageTook} (mmdebstrap ${image.timings.mmdebstrap?.toFixed(0)} s), specs ${seconds(started)}`,
  );
  return specs.status ?? 1;
}

process.exitCode = await main();
