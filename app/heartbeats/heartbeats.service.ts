import { Injectable, Logger } from '@nestjs/common';
import { ServiceGlob } from '../alarms/service-glob.js';
import { describeStorageFailure } from '../database/storage-failure.js';
import { StorageHealth } from '../database/storage-health.js';
import { ApiError } from '../http/api-error.js';
import { Clock } from '../runtime/clock.js';
import { HeartbeatEngine } from './heartbeat-engine.js';
import { checkServiceName, readServiceUpdate } from './heartbeat-input.js';
import type { ServiceRecord } from './service-record.js';
import { serviceDetailsView, serviceView, type StatusCounts } from './heartbeat.views.js';

/** Policy behind the heartbeat HTTP API (SPEC §6): input checks, 404s and the answers' shapes. */
@Injectable()
export class HeartbeatsService {
  private readonly logger = new Logger('Heartbeats');

  constructor(
    private readonly engine: HeartbeatEngine,
    private readonly clock: Clock,
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

  list() {
    const services = [...this.engine.services.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(serviceView);
    return { services, now: this.clock.now() };
  }

  get(name: string, details: boolean) {
    const service = this.existing(name);
    return { service: details ? serviceDetailsView(service) : serviceView(service), now: this.clock.now() };
  }

  mute(name: string): void {
    this.refuseWhileStorageFails();
    this.engine.mute(this.existing(name));
  }

  unmute(name: string): void {
    this.refuseWhileStorageFails();
    this.engine.unmute(this.existing(name));
  }

  remove(name: string): void {
    this.refuseWhileStorageFails();
    this.engine.remove(this.existing(name));
  }

  /** Deletes every service the glob matches (Lovebeat's globs, matched in linear time). */
  removeMatching(pattern: string) {
    const glob = new ServiceGlob(pattern);
    this.refuseWhileStorageFails();
    const services = this.engine.removeMatching((name) => glob.test(name));
    if (services.length > 0) this.logger.log(`deleted ${services.length} service(s) matching "${pattern}"`);
    return { deleted: services.length, services };
  }

  status(): StatusCounts {
    const errors = this.engine.errorServices;
    return { num_ok: this.engine.services.size - errors, num_error: errors };
  }

  private existing(name: string): ServiceRecord {
    const service = this.engine.services.get(checkServiceName(name));
    if (!service) throw ApiError.notFound(`There is no heartbeat service "${name}". GET /api/services lists them.`);
    return service;
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
