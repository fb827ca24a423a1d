import { Injectable, Logger } from '@nestjs/common';
import { describeStorageFailure } from '../database/storage-failure.js';
import { StorageHealth } from '../database/storage-health.js';
import { ApiError } from '../http/api-error.js';
import { ServiceGlob } from '../runtime/service-glob.js';
import { HeartbeatCluster } from './heartbeat-cluster.js';
import { HeartbeatEngine } from './heartbeat-engine.js';
import { checkServiceName, readServiceUpdate } from './heartbeat-input.js';

/** How long an HTTP command waits to be kept for good (several servers) before it is refused with a 503. */
const ACK_TIMEOUT_MS = 10_000;

/** Policy behind the heartbeat HTTP API's commands (SPEC §6): input checks, 404s, 429s, 503s. Reads are the ServicesQuery's. */
@Injectable()
export class HeartbeatsService {
  private readonly logger = new Logger('Heartbeats');

  constructor(
    private readonly engine: HeartbeatEngine,
    private readonly storage: StorageHealth,
    private readonly cluster: HeartbeatCluster,
  ) {}

  beat(name: string, query: Record<string, unknown>, body: unknown): Promise<void> {
    const update = readServiceUpdate(query, body);
    const service = checkServiceName(name);
    this.accepted(this.engine.update(service, update, 'http'));
    return this.kept(service);
  }

  start(name: string): Promise<void> {
    const service = checkServiceName(name);
    this.accepted(this.engine.start(service, 'http'));
    return this.kept(service);
  }

  fail(name: string): Promise<void> {
    const service = checkServiceName(name);
    this.accepted(this.engine.fail(service, 'http'));
    return this.kept(service);
  }

  async mute(name: string): Promise<void> {
    this.refuseWhileStorageFails();
    const service = checkServiceName(name);
    this.found(name, this.engine.mute(service));
    await this.kept(service);
  }

  async unmute(name: string): Promise<void> {
    this.refuseWhileStorageFails();
    const service = checkServiceName(name);
    this.found(name, this.engine.unmute(service));
    await this.kept(service);
  }

  async remove(name: string): Promise<void> {
    this.refuseWhileStorageFails();
    const service = checkServiceName(name);
    this.found(name, this.engine.remove(service));
    await this.kept(service);
  }

  /**
   * With several servers a command is answered once it is kept for good (saved, or forwarded to the
   * server that decides the service), so a server killed right after answering loses nothing; 503 when
   * the database does not take it in time (the sender tries again; a beat counts once per time it is taken).
   */
  private async kept(service: string | null): Promise<void> {
    const acknowledged = this.cluster.acknowledged(service);
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      acknowledged.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ACK_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    if (!inTime) throw ApiError.storageUnavailable('the database did not take the command in time');
  }

  /** Deletes every service the glob matches (Lovebeat's globs, matched in linear time). */
  async removeMatching(pattern: string) {
    const glob = new ServiceGlob(pattern);
    this.refuseWhileStorageFails();
    const services = this.engine.removeMatching((name) => glob.test(name));
    if (services.length > 0) this.logger.log(`deleted ${services.length} service(s) matching "${pattern}"`);
    await this.kept(null);
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
