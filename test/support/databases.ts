import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { dataSourceOptions, type DatabaseTarget } from '../../app/database/data-source-options.js';
import { openDataSource as openMigrated } from '../../app/database/open-data-source.js';
import { PulseLogger, StderrSink } from '../../app/logging/pulse-logger.js';
import { TcpRelay } from './tcp-relay.js';

/** A database a test owns: a fresh SQLite file, or a fresh database in the shared PostgreSQL cluster. */
export interface TestDatabase {
  kind: DatabaseTarget['kind'];
  target: DatabaseTarget;
  dispose(): Promise<void>;
}

export const quietLogger = new PulseLogger(new StderrSink(), 'warn');
// Services log through Nest's Logger; outside an application that would be Nest's coloured console.
Logger.overrideLogger(quietLogger);

/** The kinds to run medium tests on: SQLite always, PostgreSQL when the runner started a cluster. */
export function databaseKinds(): DatabaseTarget['kind'][] {
  return process.env.PULSE_TEST_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export async function createTestDatabase(kind: DatabaseTarget['kind']): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-sqlite-'));
    return { kind, target: { kind, file: path.join(dir, 'pulse.db') }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const adminUrl = process.env.PULSE_TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error('PULSE_TEST_POSTGRES_URL is not set (the test runner starts a cluster when PostgreSQL is installed)');
  const name = `pulse_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    target: { kind, url: url.toString() },
    dispose: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** An initialised DataSource on the test database, migrations applied. */
export async function openDataSource(database: TestDatabase, options: { runMigrations?: boolean } = {}): Promise<DataSource> {
  return openMigrated(
    dataSourceOptions(database.target, { logger: quietLogger, nativeCacheDir: os.tmpdir() }),
    options.runMigrations ?? true,
  );
}

/**
 * A second DataSource on a PostgreSQL test database that reaches it through a TcpRelay on loopback, which
 * the test can freeze to cut that connection off (a server losing its database) while others keep theirs.
 */
export async function openRelayedDataSource(database: TestDatabase): Promise<{ relay: TcpRelay; dataSource: DataSource }> {
  const url = new URL((database.target as { url: string }).url);
  const relay = await TcpRelay.start(Number(url.port));
  url.port = String(relay.port);
  const dataSource = await openDataSource({ ...database, target: { kind: 'postgres', url: url.toString() } });
  return { relay, dataSource };
}
