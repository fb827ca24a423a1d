import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, In, IsNull, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { CheckResultRow } from './check-result.entity.js';
import { MonitorBucket } from './monitor-bucket.entity.js';
import { MonitorIncident } from './monitor-incident.entity.js';
import { MonitorSourceBucket } from './monitor-source-bucket.entity.js';
import { MonitorSource } from './monitor-source.entity.js';
import type { StateChange } from './monitor-state.js';
import { Monitor, type MonitorState } from './monitor.entity.js';

/** The fields a user sets (POST/PUT); state fields are written by the runtime only. */
export type MonitorSettings = Pick<
  Monitor,
  'name' | 'type' | 'target' | 'intervalS' | 'timeoutS' | 'retries' | 'quorum' | 'pollers' | 'alerts' | 'options'
>;

export interface MonitorFilter {
  status?: MonitorState;
  type?: string;
  q?: string;
  page: number;
  perPage: number;
}

@Injectable()
export class MonitorRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(settings: MonitorSettings, now: number): Promise<Monitor> {
    const repo = this.dataSource.getRepository(Monitor);
    return repo.save(
      repo.create({
        ...settings,
        paused: false,
        status: 'pending',
        statusMessage: '',
        lastChangeAt: null,
        incidentNumber: 0,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  async updateSettings(id: number, settings: MonitorSettings, now: number): Promise<void> {
    // simple-json columns take any JSON value; TypeORM's partial type cannot express that for a Record.
    await this.dataSource.getRepository(Monitor).update({ id }, { ...settings, updatedAt: now } as QueryDeepPartialEntity<Monitor>);
  }

  findById(id: number): Promise<Monitor | null> {
    return this.dataSource.getRepository(Monitor).findOneBy({ id });
  }

  findAll(): Promise<Monitor[]> {
    return this.dataSource.getRepository(Monitor).find({ order: { id: 'ASC' } });
  }

  async list(filter: MonitorFilter): Promise<{ monitors: Monitor[]; total: number }> {
    const query = this.dataSource.getRepository(Monitor).createQueryBuilder('monitor');
    if (filter.status) query.andWhere('monitor.status = :status', { status: filter.status });
    if (filter.type) query.andWhere('monitor.type = :type', { type: filter.type });
    if (filter.q) {
      const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      query.andWhere(
        new Brackets((where) =>
          where
            .where(`LOWER(monitor.name) LIKE :pattern ESCAPE '\\'`, { pattern })
            .orWhere(`LOWER(monitor.target) LIKE :pattern ESCAPE '\\'`, { pattern }),
        ),
      );
    }
    const [monitors, total] = await query
      .orderBy('monitor.name', 'ASC')
      .addOrderBy('monitor.id', 'ASC')
      .skip((filter.page - 1) * filter.perPage)
      .take(filter.perPage)
      .getManyAndCount();
    return { monitors, total };
  }

  /** Deletes the monitor and everything recorded about it, in one transaction. */
  async delete(id: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const entity of [CheckResultRow, MonitorBucket, MonitorSourceBucket, MonitorIncident, MonitorSource])
        await manager.getRepository(entity).delete({ monitorId: id });
      await manager.getRepository(Monitor).delete({ id });
    });
  }

  /** Each monitor's poller ids (for assignment, which looks at every monitor). */
  async pollerLists(): Promise<Map<number, number[]>> {
    const rows = await this.dataSource.getRepository(Monitor).find({ select: { id: true, pollers: true } });
    return new Map(rows.map((row) => [row.id, row.pollers]));
  }

  /**
   * New poller lists for some monitors, in one transaction; the latest results of sources that left
   * (`removedSources` per monitor) go with them, so they no longer show.
   */
  async setPollers(changes: { id: number; pollers: number[]; removedSources: string[] }[], now: number): Promise<void> {
    if (changes.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      for (const change of changes) {
        await manager
          .getRepository(Monitor)
          .update({ id: change.id }, { pollers: change.pollers, updatedAt: now } as QueryDeepPartialEntity<Monitor>);
        for (const source of change.removedSources) await manager.getRepository(MonitorSource).delete({ monitorId: change.id, source });
      }
    });
  }

  async setPaused(id: number, paused: boolean, now: number): Promise<void> {
    await this.dataSource.getRepository(Monitor).update({ id }, { paused, updatedAt: now });
  }

  /**
   * State changes in order, in one transaction (a batch from the runtime's writer). `within` runs first in
   * it and may leave changes out (several servers: those of monitors another server decides now).
   */
  async applyChanges<C extends { monitorId: number; change: StateChange }>(
    changes: C[],
    within?: (manager: EntityManager) => Promise<C[]>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager: EntityManager) => {
      const kept = within ? await within(manager) : changes;
      for (const { monitorId, change } of kept) await this.applyChange(monitorId, change, manager);
    });
  }

  findByIds(ids: readonly number[]): Promise<Monitor[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.dataSource.getRepository(Monitor).findBy({ id: In([...ids]) });
  }

  async applyChange(monitorId: number, change: StateChange, manager?: EntityManager): Promise<void> {
    if (!manager) return this.dataSource.transaction((inner) => this.applyChange(monitorId, change, inner));
    await manager
      .getRepository(Monitor)
      .update(
        { id: monitorId },
        { status: change.to, statusMessage: change.message, lastChangeAt: change.at, incidentNumber: change.next.incidentNumber },
      );
    const incidents = manager.getRepository(MonitorIncident);
    if (change.closes) {
      await incidents.update(
        { monitorId, number: change.closes.number, endedAt: IsNull() },
        { endedAt: change.at, resolution: change.closes.resolution },
      );
    }
    if (change.opens) {
      await incidents.insert({
        monitorId,
        number: change.opens.number,
        startedAt: change.at,
        endedAt: null,
        cause: change.opens.cause,
        resolution: null,
      });
    }
  }

  incidents(monitorId: number, limit: number): Promise<MonitorIncident[]> {
    return this.dataSource.getRepository(MonitorIncident).find({ where: { monitorId }, order: { number: 'DESC' }, take: limit });
  }

  /** Monitors whose latest incident is still open (for loading state at start; `ids`: only these). */
  async openIncidentMonitorIds(ids?: readonly number[]): Promise<Set<number>> {
    const rows = await this.dataSource
      .getRepository(MonitorIncident)
      .find({ select: { monitorId: true }, where: { endedAt: IsNull(), ...(ids ? { monitorId: In([...ids]) } : {}) } });
    return new Set(rows.map((row) => row.monitorId));
  }
}
