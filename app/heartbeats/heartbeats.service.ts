import { Injectable, Logger } from '@nestjs/common';
import { describeStorageFailure } from '../database/storage-failure.js';
import { StorageHealth } from '../database/storage-health.js';
import { ApiError } from '../http/api-error.js';
import { ServiceGlob } from '../runtime/service-glob.js';
import { HeartbeatEngine } from './heartbeat-engine.js';
import { checkServiceName, readServiceUpdate } from './heartbeat-input.js';

/** Policy behind the heartbeat HTTP API's commands (SPEC §6): input checks, 404s, 429s, 503s. Reads are the ServicesQuery's. */
@Injectable()
export class HeartbeatsService {
  private readonly logger = new Logger('Heartbeats');

  constructor(
    private readonly engine: HeartbeatEngine,
    private readonly storage: StorageHealth,
  ) {}

  beat(name: string, query: Record<string, unknown>, body: unknown): void {
    const update = readServiceUpdate(query, body);
    this.accepted(this.engine.update(checkServiceName(name), update, 'http'));
  }

  start(name: string): void {
    this.accepted(this.engine.start(checkServiceName(name), 'http'));
  }

  fail(name: string): void {
    this.accepted(this.engine.fail(checkServiceName(name), 'http'));
  }

  mute(name: string): void {
    this.refuseWhileStorageFails();
    this.found(name, this.engine.mute(checkServiceName(name)));
  }

  unmute(name: string): void {
    this.refuseWhileStorageFails();
    this.found(name, this.engine.unmute(checkServiceName(name)));
  }

  remove(name: string): void {
    this.refuseWhileStorageFails();
    this.found(name, this.engine.remove(checkServiceName(name)));
  }

  /** Deletes every service the glob matches (Lovebeat's globs, matched in linear time). */
  removeMatching(pattern: string) {
    const glob = new ServiceGlob(pattern);
    this.refuseWhileStorageFails();
    const services = this.engine.removeMatching((name) => glob.test(name));
    if (services.length > 0) this.logger.log(`deleted ${services.length} service(s) matching "${pattern}"`);
    return { deleted: services.length, services };
  }

  private found(name: string, found: boolean): void {
    if (!found) throw ApiError.notFound(`There is no heartbeat service "${name}". GET /api/services lists them.`);
  }

  /**
   * Admin changes here take effect in memory and are saved with the next batch, like beats. Beats are
   * kept while the database refuses writes (the hot path must not stop), but an admin change would be
   * acknowledged without being stored: refuse it instead, so the admin knows to try again.
   */
  private refuseWhileStorageFails(): void {
    const problem = this.storage.problem;
    if (problem) throw ApiError.storageUnavailable(describeStorageFailure(problem.kind));
  }

  private accepted(ok: boolean): void {
    if (!ok) {
      throw new ApiError(
        429,
        'service_limit_reached',
        'Pulse already has [heartbeat] max_services services; beats for new names are refused. Delete unused services or raise the limit.',
      );
    }
  }
}
