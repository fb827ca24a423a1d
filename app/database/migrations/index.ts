import type { MigrationInterface } from 'typeorm';
import { FoundationPostgres1763800000000 } from './postgres/1763800000000-foundation.js';
import { MonitorsPostgres1763900000000 } from './postgres/1763900000000-monitors.js';
import { HeartbeatsPostgres1764000000000 } from './postgres/1764000000000-heartbeats.js';
import { AlertsPostgres1764100000000 } from './postgres/1764100000000-alerts.js';
import { ConsoleSessionsPostgres1764300000000 } from './postgres/1764300000000-console-sessions.js';
import { AgentsPostgres1764400000000 } from './postgres/1764400000000-agents.js';
import { PollersPostgres1764410000000 } from './postgres/1764410000000-pollers.js';
import { PollersSqlite1764410000000 } from './sqlite/1764410000000-pollers.js';
import { SourceBucketsPostgres1764450000000 } from './postgres/1764450000000-source-buckets.js';
import { AgentsSqlite1764400000000 } from './sqlite/1764400000000-agents.js';
import { ClusterPostgres1764600000000 } from './postgres/1764600000000-cluster.js';
import { FoundationSqlite1763800000000 } from './sqlite/1763800000000-foundation.js';
import { MonitorsSqlite1763900000000 } from './sqlite/1763900000000-monitors.js';
import { HeartbeatsSqlite1764000000000 } from './sqlite/1764000000000-heartbeats.js';
import { AlertsSqlite1764100000000 } from './sqlite/1764100000000-alerts.js';
import { ConsoleSessionsSqlite1764300000000 } from './sqlite/1764300000000-console-sessions.js';
import { SourceBucketsSqlite1764450000000 } from './sqlite/1764450000000-source-buckets.js';
import { ClusterSqlite1764600000000 } from './sqlite/1764600000000-cluster.js';

/**
 * Migrations run in this order; each dialect has its own SQL, and a medium test checks that after all of
 * them the schema matches the entities exactly. Append new ones; never edit one that has been released.
 */
export const SQLITE_MIGRATIONS: (new () => MigrationInterface)[] = [
  FoundationSqlite1763800000000,
  MonitorsSqlite1763900000000,
  HeartbeatsSqlite1764000000000,
  AlertsSqlite1764100000000,
  ConsoleSessionsSqlite1764300000000,
  AgentsSqlite1764400000000,
  PollersSqlite1764410000000,
  SourceBucketsSqlite1764450000000,
  ClusterSqlite1764600000000,
];
export const POSTGRES_MIGRATIONS: (new () => MigrationInterface)[] = [
  FoundationPostgres1763800000000,
  MonitorsPostgres1763900000000,
  HeartbeatsPostgres1764000000000,
  AlertsPostgres1764100000000,
  ConsoleSessionsPostgres1764300000000,
  AgentsPostgres1764400000000,
  PollersPostgres1764410000000,
  SourceBucketsPostgres1764450000000,
  ClusterPostgres1764600000000,
];
