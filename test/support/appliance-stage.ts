/**
 * The appliance stage of the tests: installs the Debian tools it needs when they are missing (as root on
 * Debian, as `npm test` does for its peers: APPLIANCE_PEERS), builds the Debian packages for amd64 and
 * arm64 (gzip -1) and the appliance image (reused when its inputs did not change), then runs the specs in test/appliance/ through test/run.js with
 * PULSE_TEST_APPLIANCE=1, and reports how long each step took. `npm test` runs it last (without a filter),
 * `npm run test:appliance` on its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAppliance } from '../../scripts/build-appliance.js';
import { buildPackages } from '../../scripts/build-packages.js';
import { APPLIANCE_PEERS } from './debian-peers.js';
import { ensureDebianPeers } from './install-peers.js';

const distRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ApplianceStageResult {
  outcome: 'passed' | 'failed' | 'skipped';
  /** Why it was skipped or failed, or the figures when it ran. */
  summary: string;
}

/** Why this machine cannot run the stage (it needs root on Debian: mmdebstrap's root mode, apt-get), or null. */
export function applianceStageUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'it builds a disk image with mmdebstrap as root: run as root';
  if (!existsSync('/etc/debian_version') || !existsSync('/usr/bin/apt-get')) return 'it builds the image with Debian tools: run on Debian';
  return null;
}

export async function runApplianceStage(log: (line: string) => void): Promise<ApplianceStageResult> {
  const unavailable = applianceStageUnavailable();
  if (unavailable) return { outcome: 'skipped', summary: unavailable };
  if (!ensureDebianPeers(log, APPLIANCE_PEERS)) {
    return { outcome: 'failed', summary: 'the Debian packages it needs could not be installed (see above)' };
  }
  const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
  const timings: string[] = [];
  try {
    let started = Date.now();
    // gzip -1: these packages are linted and installed here, never shipped (xz costs minutes of CPU).
    await buildPackages({ compression: 'gzip' });
    timings.push(`packages ${seconds(started)}`);
    started = Date.now();
    // An unchanged image is reused; its qcow2 uncompressed (qemu-img -c costs minutes, the boots read it locally).
    const image = await buildAppliance({ packageCompression: 'gzip', compressQcow2: false, reuse: true });
    timings.push(
      image.timings.reused ? `image ${seconds(started)} (reused)` : `image ${seconds(started)} (mmdebstrap ${image.timings.mmdebstrap?.toFixed(0)} s)`,
    );
  } catch (error) {
    return { outcome: 'failed', summary: `building failed: ${(error as Error).message}` };
  }
  const started = Date.now();
  const specs = spawnSync(process.execPath, [path.join(distRoot, 'test', 'run.js'), `${path.sep}test${path.sep}appliance${path.sep}`], {
    // PULSE_TEST_APPLIANCE=1 turns the specs on; the filter keeps this inner run from starting the stage again.
    stdio: 'inherit',
    env: { ...process.env, PULSE_TEST_APPLIANCE: '1' },
  });
  timings.push(`specs ${seconds(started)}`);
  return { outcome: specs.status === 0 ? 'passed' : 'failed', summary: timings.join(', ') };
}
