/**
 * `npm test`: does its own set-up (the Debian programs the suites start as peers: installed with apt-get
 * when run as root on Debian, otherwise named one per line and their tests skipped), finds every compiled
 * spec (co-located unit specs in app/ and plugins/, then test/contracts, test/medium, test/e2e), starts
 * the shared peers (a throwaway PostgreSQL cluster), runs them with node:test, stops the peers by pid and
 * ends with a summary that names the cause of every failed, cancelled and skipped test. Arguments filter
 * spec paths: `npm test -- tokens`. Without a filter the appliance stage runs last (the Debian packages and
 * the disk image built and booted under QEMU, test/support/appliance-stage.ts); PULSE_TEST_APPLIANCE=0 leaves
 * it out of a quick local run.
 */
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { finished } from 'node:stream/promises';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { PostgresPeer } from './peers/postgres.js';
import { ensureDebianPeers } from './support/install-peers.js';
import { runApplianceStage, type ApplianceStageResult } from './support/appliance-stage.js';
import { TestSummary } from './support/test-summary.js';

const distRoot = fileURLToPath(new URL('../', import.meta.url));
const APPLIANCE_SPECS = `${path.sep}test${path.sep}appliance${path.sep}`;

function specFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'bench' ? [] : specFiles(full);
    return name.endsWith('.spec.js') ? [full] : [];
  });
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const files = ['app', 'plugins', 'test']
    .map((dir) => path.join(distRoot, dir))
    .flatMap((dir) => specFiles(dir))
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    // Unfiltered, test/appliance/ runs in the appliance stage below, once its packages and image are built.
    .filter((file) => filters.length > 0 || !file.includes(APPLIANCE_SPECS))
    .sort();
  if (files.length === 0) {
    console.error(`no spec files match ${filters.join(' ')}`);
    return 1;
  }

  if (!ensureDebianPeers((line) => console.log(line))) {
    console.error('npm test: the Debian packages the tests need could not be installed (see above)');
    return 1;
  }

  let postgres: PostgresPeer | null = null;
  const needsPostgres = files.some((file) => /[/\\](medium|e2e)[/\\]/.test(file));
  if (needsPostgres && !process.env.PULSE_TEST_POSTGRES_URL) {
    if (PostgresPeer.binDir()) {
      postgres = await PostgresPeer.start();
      process.env.PULSE_TEST_POSTGRES_URL = postgres.url;
      console.log(`PostgreSQL test cluster on 127.0.0.1:${postgres.port} (postmaster pid ${postgres.pid})`);
    } else {
      console.warn('PostgreSQL is not installed: medium and e2e suites run on SQLite only');
    }
  }

  const summary = new TestSummary(distRoot);
  try {
    // A boot under TCG emulation alone takes minutes: the appliance specs get hours, every other file ten minutes.
    const fileTimeoutMs =
      process.env.PULSE_TEST_APPLIANCE === '1' && files.some((file) => file.includes(APPLIANCE_SPECS)) ? 3 * 3_600_000 : 10 * 60_000;
    const stream = run({ files, concurrency: Math.max(1, os.availableParallelism()), timeout: fileTimeoutMs });
    summary.listen(stream);
    const reporter = stream.compose(new spec());
    reporter.pipe(process.stdout);
    await finished(reporter);
  } finally {
    await postgres?.stop();
  }
  console.log(summary.render(files.length));

  // Last, and only for the whole run: it takes minutes (packages, image, boots) and needs root on Debian.
  let appliance: ApplianceStageResult | null = null;
  if (filters.length === 0 && process.env.PULSE_TEST_APPLIANCE !== '0') {
    console.log('\nappliance stage: the Debian packages and the disk image, built and booted under QEMU (PULSE_TEST_APPLIANCE=0 leaves it out)');
    appliance = await runApplianceStage((line) => console.log(line));
    console.log(summary.render(files.length));
    console.log(`appliance stage ${appliance.outcome}: ${appliance.summary}`);
  } else if (filters.length === 0) {
    console.log('appliance stage left out (PULSE_TEST_APPLIANCE=0); npm run test:appliance runs it alone');
  }
  return summary.ok && appliance?.outcome !== 'failed' ? 0 : 1;
}

process.exitCode = await main();
