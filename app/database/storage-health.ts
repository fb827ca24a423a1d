import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { describeStorageFailure, storageFailureOf, type StorageFailure } from './storage-failure.js';

export interface StorageProblem extends StorageFailure {
  /** Epoch ms of the first failure in this episode. */
  since: number;
  /** Writes that failed in this episode. */
  failures: number;
}

/** A tiny write that proves the database takes writes again (one row in server_meta). */
const PROBE_KEY = 'storage_probe_at';
/** Readiness checks come every few seconds from a load balancer; probe writes at most this often. */
const PROBE_INTERVAL_MS = 1000;

/**
 * Whether the database takes writes. Every query runner reports here (app/database/guarded-query-runners.ts):
 * a write that fails with a storage error (storage-failure.ts) opens a problem, the next write that
 * commits closes it. /readyz reads it, the API refuses in-memory-only changes while it is open, and the
 * hot-path writers are woken when it closes.
 */
export class StorageHealth {
  private readonly logger = new Logger('Storage');
  private current: StorageProblem | null = null;
  private readonly recoveryListeners = new Set<() => void>();
  private probing: Promise<void> | null = null;
  private lastProbeAt = 0;

  constructor(private readonly dataSource: DataSource) {}

  get problem(): StorageProblem | null {
    return this.current;
  }

  /** The user-facing reason while writes fail, e.g. for /readyz (the driver's words go to the log only); null when healthy. */
  get reason(): string | null {
    if (!this.current) return null;
    return `writes fail since ${new Date(this.current.since).toISOString()}: ${describeStorageFailure(this.current.kind)}`;
  }

  /** Called with every failed statement; returns the storage failure if it was one. */
  noteError(error: unknown): StorageFailure | null {
    const failure = storageFailureOf(error);
    if (!failure) return null;
    if (!this.current) {
      this.current = { ...failure, since: Date.now(), failures: 1 };
      this.logger.error(`the database stopped taking writes: ${describeStorageFailure(failure.kind)} (${failure.detail})`);
    } else {
      this.current.failures++;
      if (this.current.kind !== failure.kind) Object.assign(this.current, failure);
    }
    return failure;
  }

  /** Called when a write (a COMMIT, or a statement outside a transaction) succeeded. */
  noteWriteCommitted(): void {
    if (!this.current) return;
    const problem = this.current;
    this.current = null;
    this.logger.log(
      `the database takes writes again after ${Math.round((Date.now() - problem.since) / 1000)} s (${problem.failures} failed write(s))`,
    );
    for (const listener of this.recoveryListeners) listener();
  }

  /** `listener` runs each time writes work again; returns the unsubscribe function. */
  onRecovered(listener: () => void): () => void {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
  }

  /**
   * While a problem is open, tries one small write (at most once a second) so that /readyz turns healthy
   * again even when nothing else writes; resolves to the reason writes still fail, or null.
   */
  async probe(): Promise<string | null> {
    if (this.current && !this.probing && Date.now() - this.lastProbeAt >= PROBE_INTERVAL_MS) {
      this.lastProbeAt = Date.now();
      this.probing = this.writeProbe().finally(() => (this.probing = null));
    }
    if (this.probing) await this.probing;
    return this.reason;
  }

  private async writeProbe(): Promise<void> {
    const postgres = this.dataSource.options.type === 'postgres';
    const sql = `INSERT INTO "server_meta" ("key", "value") VALUES (${postgres ? '$1, $2' : '?, ?'}) ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"`;
    try {
      await this.dataSource.query(sql, [PROBE_KEY, new Date().toISOString()]);
    } catch {
      // noted by the query runner; the problem stays open
    }
  }
}

const healthBySource = new WeakMap<DataSource, StorageHealth>();

/** The one StorageHealth of a data source (made on first use). */
export function storageHealthOf(dataSource: DataSource): StorageHealth {
  let health = healthBySource.get(dataSource);
  if (!health) {
    health = new StorageHealth(dataSource);
    healthBySource.set(dataSource, health);
  }
  return health;
}
