/**
 * `npm test`: finds every compiled spec (co-located unit specs in app/ and plugins/, then test/contracts,
 * test/medium, test/e2e), starts the shared peers the suites need (a throwaway PostgreSQL cluster), runs
 * them with node:test and stops the peers by pid. Arguments filter spec paths: `npm test -- tokens`.
 */
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { PostgresPeer } from './peers/postgres.js';

const distRoot = fileURLToPath(new URL('../', import.meta.url));

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
    .sort();
  if (files.length === 0) {
    console.error(`no spec files match ${filters.join(' ')}`);
    return 1;
  }

  let postgres: PostgresPeer | null = null;
  const needsPostgres = files.some((file) => /[/\\](medium|e2e)[/\\]/.test(file));
  if (needsPostgres && !process.env.PULSE_TEST_POSTGRES_URL) {
    if (PostgresPeer.binDir()) {
      postgres = await PostgresPeer.start();
      process.env.PULSE_TEST_POSTGRES_URL = postgres.url;
      console.log(`PostgreSQL test cluster on 127.0.0.1:${postgres.port} (postmaster pid ${postgres.pid})`);
    } else if (process.env.PULSE_TEST_REQUIRE_POSTGRES === '1') {
      console.error('PULSE_TEST_REQUIRE_POSTGRES=1 but no PostgreSQL server is installed (apt-get install postgresql)');
      return 1;
    } else {
      console.warn('PostgreSQL is not installed: medium and e2e suites run on SQLite only');
    }
  }

  let failed = 0;
  try {
    const stream = run({ files, concurrency: Math.max(1, os.availableParallelism()), timeout: 10 * 60_000 });
    stream.on('test:fail', (event: { details?: { type?: string } }) => {
      if (event.details?.type !== 'suite') failed++;
    });
    stream.compose(new spec()).pipe(process.stdout);
    await new Promise<void>((resolve) => stream.once('end', () => resolve()));
  } finally {
    await postgres?.stop();
  }
  console.log(failed === 0 ? `\nall ${files.length} spec files passed` : `\n${failed} test(s) failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
