import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import { AlertChannelLookup } from '../monitors/alert-channel-lookup.js';
import { MonitorService } from '../monitors/monitor.service.js';
import { Clock } from '../runtime/clock.js';
import { FieldErrorList } from '../runtime/validation-failure.js';
import { TokenService } from '../tokens/token.service.js';
import type { UpdatePollerDto } from './poller.dto.js';
import { PollersQuery } from './pollers.query.js';
import { PollerRegistry, type LivePoller } from './poller-registry.service.js';
import { PollerRepository } from './poller.repository.js';

/** What an admin does with pollers (SPEC §4): assign monitors, rename, choose alerts, delete. */
@Injectable()
export class PollersService {
  private readonly logger = new Logger('Pollers');

  constructor(
    private readonly registry: PollerRegistry,
    private readonly repository: PollerRepository,
    private readonly monitors: MonitorService,
    private readonly tokens: TokenService,
    private readonly alertChannels: AlertChannelLookup,
    private readonly query: PollersQuery,
    private readonly clock: Clock,
  ) {}

  /** PUT /api/poller/<id>/assign: exactly these monitors are checked from it; its next task fetch sees them. */
  async assign(id: number, monitorIds: number[]) {
    this.existing(id);
    await this.monitors.assignPoller(id, monitorIds);
    return this.query.get(id);
  }

  /** PUT /api/pollers/<id>: fields left out keep their values. */
  async update(id: number, body: UpdatePollerDto) {
    const live = this.existing(id);
    const errors = new FieldErrorList();
    const name = body.name?.trim();
    const holder = name === undefined ? undefined : this.registry.byName(name);
    if (holder && holder.poller.id !== id) errors.add('name', `poller ${holder.poller.id} is already called "${holder.poller.name}"`);
    for (const channel of new Set(body.alerts ?? [])) {
      if (!(await this.alertChannels.exists(channel))) {
        errors.add('alerts', `there is no alert channel "${channel.slice(0, 100)}"; GET /api/alerts lists them`);
        break;
      }
    }
    errors.throwIfAny();
    const values = {
      name: name ?? live.poller.name,
      location: body.location?.trim() ?? live.poller.location,
      alerts: body.alerts ? [...new Set(body.alerts)] : live.poller.alerts,
      updatedAt: this.clock.now(),
    };
    await this.repository.update(id, values);
    this.registry.hold({ ...live.poller, ...values });
    this.registry.changed(id);
    return this.query.get(id);
  }

  /** DELETE /api/pollers/<id>: its source leaves every monitor and its token is revoked. */
  async remove(id: number) {
    const live = this.existing(id);
    const view = this.query.get(id);
    this.registry.forget(id);
    await this.monitors.detachPoller(id);
    await this.tokens.revoke(live.poller.tokenId).catch((error: Error) => {
      if (!(error instanceof ApiError)) throw error; // a token deleted meanwhile has nothing left to revoke
    });
    await this.repository.delete(id);
    this.registry.changed(id);
    this.logger.log(`poller ${id} "${live.poller.name}" deleted; its token #${live.poller.tokenId} is revoked`);
    return view;
  }

  private existing(id: number): LivePoller {
    const live = this.registry.get(id);
    if (!live) throw ApiError.notFound(`There is no poller with id ${id}. GET /api/pollers lists them.`);
    return live;
  }
}
