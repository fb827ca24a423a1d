import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, In, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { Poller } from './poller.entity.js';

export interface PollerFilter {
  q?: string;
  offline?: boolean;
  page: number;
  perPage: number;
}

export type NewPoller = Pick<Poller, 'name' | 'location' | 'tokenId' | 'version' | 'lastSeenAt' | 'createdAt'>;

/** The pollers table: the only place that touches it. */
@Injectable()
export class PollerRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repository() {
    return this.dataSource.getRepository(Poller);
  }

  findAll(): Promise<Poller[]> {
    return this.repository.find({ order: { id: 'ASC' } });
  }

  findById(id: number): Promise<Poller | null> {
    return this.repository.findOneBy({ id });
  }

  findByIds(ids: readonly number[]): Promise<Poller[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.repository.findBy({ id: In([...ids]) });
  }

  /** The poller a token is bound to (several servers: it may have registered through another one). */
  findByToken(tokenId: number): Promise<Poller | null> {
    return this.repository.findOneBy({ tokenId });
  }

  /** When it was heard from, from a server that does not judge it: never moved back, nothing else touched. */
  async heard(id: number, lastSeenAt: number, outbox: Pick<Poller, 'outboxQueued' | 'outboxDropped' | 'outboxReportedAt'>): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(Poller)
      .set({ lastSeenAt, ...outbox })
      .where('id = :id AND (last_seen_at IS NULL OR last_seen_at <= :lastSeenAt)', { id, lastSeenAt })
      .execute();
  }

  /**
   * Records the judged state. `guard` runs first in the same transaction (several servers: whether this
   * server still judges the poller); nothing is written unless it says so. Returns whether it was.
   */
  async updateGuarded(
    id: number,
    values: Partial<Omit<Poller, 'id'>>,
    guard: (manager: EntityManager) => Promise<boolean>,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await guard(manager))) return false;
      await manager.getRepository(Poller).update({ id }, values as QueryDeepPartialEntity<Poller>);
      return true;
    });
  }

  insert(values: NewPoller): Promise<Poller> {
    return this.repository.save(
      this.repository.create({
        ...values,
        alerts: [],
        offline: false,
        stateChangedAt: null,
        outboxQueued: 0,
        outboxDropped: 0,
        outboxReportedAt: null,
        updatedAt: values.createdAt,
      }),
    );
  }

  async update(id: number, values: Partial<Omit<Poller, 'id'>>): Promise<void> {
    // simple-json columns take any JSON value; TypeORM's partial type cannot express that for an array.
    await this.repository.update({ id }, values as QueryDeepPartialEntity<Poller>);
  }

  async delete(id: number): Promise<void> {
    await this.repository.delete({ id });
  }

  /** A page of pollers by name, optionally filtered by name/location text and judged state. */
  async page(filter: PollerFilter): Promise<{ pollers: Poller[]; total: number }> {
    const query = this.repository.createQueryBuilder('poller');
    if (filter.offline !== undefined) query.andWhere('poller.offline = :offline', { offline: filter.offline });
    if (filter.q) {
      const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      query.andWhere(
        new Brackets((where) =>
          where
            .where(`LOWER(poller.name) LIKE :pattern ESCAPE '\\'`, { pattern })
            .orWhere(`LOWER(poller.location) LIKE :pattern ESCAPE '\\'`, { pattern }),
        ),
      );
    }
    const [pollers, total] = await query
      .orderBy('poller.name', 'ASC')
      .addOrderBy('poller.id', 'ASC')
      .skip((filter.page - 1) * filter.perPage)
      .take(filter.perPage)
      .getManyAndCount();
    return { pollers, total };
  }
}
