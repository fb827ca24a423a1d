import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServerConfig } from '../config/config.schema.js';
import { databaseTarget } from '../database/data-source-options.js';
import { StartupError } from '../runtime/startup-error.js';
import { AlarmEngine } from '../alarms/alarm-engine.js';
import { HeartbeatEngine } from '../heartbeats/heartbeat-engine.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { S3SnapshotStore } from './s3-store.js';
import { SnapshotRepository } from './snapshot.repository.js';

/**
 * Before the database opens: when `[database] remote_s3_url` is set and the local SQLite file is missing,
 * the last snapshot is downloaded (Lovebeat's "database on S3" for hosts without persistent disks). A
 * store that cannot be reached stops the start, because starting empty would overwrite the good snapshot.
 */
export async function restoreSnapshotIfMissing(config: ServerConfig, logger: PulseLogger): Promise<void> {
  const target = databaseTarget(config);
  if (config.database.remote_s3_url === '' || target.kind !== 'sqlite' || existsSync(target.file)) return;
  const store = await S3SnapshotStore.open(config.database);
  try {
    const bytes = await store.download();
    if (bytes === null) {
      logger.log(`no database snapshot at ${store.location} yet; starting with an empty database`, 'Snapshot');
      return;
    }
    mkdirSync(path.dirname(target.file), { recursive: true });
    writeFileSync(`${target.file}.download`, bytes);
    renameSync(`${target.file}.download`, target.file);
    logger.log(`restored the database from ${store.location} (${bytes.length} bytes)`, 'Snapshot');
  } catch (error) {
    throw new StartupError(
      `${target.file} is missing and the snapshot at ${store.location} cannot be downloaded (${(error as Error).message}). ` +
        'Check [database] remote_s3_* and the network, or set remote_s3_url = "" to start with an empty database.',
    );
  } finally {
    store.destroy();
  }
}

/** Uploads a consistent snapshot every `[database] interval` seconds and once more at shutdown. */
@Injectable()
export class SnapshotService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Snapshot');
  private store: S3SnapshotStore | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly config: ServerConfig,
    private readonly repository: SnapshotRepository,
    private readonly engine: HeartbeatEngine,
    private readonly alarms: AlarmEngine,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.database.remote_s3_url === '' || databaseTarget(this.config).kind !== 'sqlite') return;
    this.store = await S3SnapshotStore.open(this.config.database);
    this.timer = setInterval(() => void this.upload(), this.config.database.interval * 1000);
    this.timer.unref();
    this.logger.log(`uploading database snapshots to ${this.store.location} every ${this.config.database.interval} s and at shutdown`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.store) return;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.upload();
    this.store.destroy();
  }

  /** One snapshot: pending heartbeat and alarm changes saved, the database copied with VACUUM INTO, the copy uploaded. */
  upload(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.uploadOnce().finally(() => (this.running = null));
    return this.running;
  }

  private async uploadOnce(): Promise<void> {
    const target = databaseTarget(this.config);
    if (!this.store || target.kind !== 'sqlite') return;
    const copy = `${target.file}.snapshot`;
    const started = performance.now();
    try {
      await Promise.all([this.engine.flush(), this.alarms.flush()]);
      rmSync(copy, { force: true });
      await this.repository.copyInto(copy);
      const bytes = readFileSync(copy);
      await this.store.upload(bytes);
      this.logger.debug(
        `uploaded a ${bytes.length}-byte snapshot to ${this.store.location} in ${Math.round(performance.now() - started)} ms`,
      );
    } catch (error) {
      this.logger.warn(
        `database snapshot upload to ${this.store.location} failed: ${(error as Error).message} (next try in ${this.config.database.interval} s)`,
      );
    } finally {
      rmSync(copy, { force: true });
    }
  }
}
