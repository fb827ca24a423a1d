import { Injectable } from '@nestjs/common';
import { DataSource, In, LessThan, type EntityManager } from 'typeorm';
import { AlertAttempt } from './alert-attempt.entity.js';
import { AlertDelivery, FINAL_STATUSES, type DeliveryStatus } from './alert-delivery.entity.js';

export type NewDelivery = Pick<AlertDelivery, 'channel' | 'targetType' | 'targetKey' | 'event' | 'status'> & { eventKey?: string | null };

/** The advisory-lock namespace under which servers take turns counting a channel's storm (PostgreSQL). */
const STORM_LOCK_NAMESPACE = 0x50554c54;

/** One alert for several channels, queued by a server that shares the database with others (PostgreSQL). */
export interface SharedAlert {
  channels: { name: string; targets: { type: string; key: string }[] }[];
  /** The AlertEvent as JSON, and its key (alertEventKey): queued once per target however often it is judged. */
  event: string;
  eventKey: string | null;
  now: number;
  /** Hold for a digest beyond `threshold` alerts of a channel within `windowMs`, counted over every server's alerts. */
  storm: { threshold: number; windowMs: number } | null;
  /** Refuses (throws) unless the decision's lease still holds; runs first in the transaction. */
  fence(manager: EntityManager): Promise<void>;
}

const COLUMNS: Record<string, keyof AlertDelivery> = {
  id: 'id',
  channel: 'channel',
  target_type: 'targetType',
  target_key: 'targetKey',
  event: 'event',
  status: 'status',
  attempts: 'attempts',
  next_attempt_at: 'nextAttemptAt',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  delivered_at: 'deliveredAt',
  last_error: 'lastError',
  claimed_by: 'claimedBy',
  claimed_until: 'claimedUntil',
  digest_id: 'digestId',
  event_key: 'eventKey',
};
const NUMERIC = new Set<keyof AlertDelivery>([
  'id',
  'attempts',
  'nextAttemptAt',
  'createdAt',
  'updatedAt',
  'deliveredAt',
  'claimedUntil',
  'digestId',
]);

/** Which deliveries a log read wants. */
export interface DeliveryFilter {
  channel?: string;
  status?: DeliveryStatus;
  /** Only deliveries with a smaller id (paging backwards through the log). */
  beforeId?: number;
}

/** The alert queue and delivery log. Claiming is one statement, so two servers never send the same row. */
@Injectable()
export class AlertDeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get postgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  private parameter(index: number): string {
    return this.postgres ? `$${index}` : '?';
  }

  async enqueue(deliveries: NewDelivery[], now: number, manager?: EntityManager): Promise<AlertDelivery[]> {
    if (deliveries.length === 0) return [];
    const repo = (manager ?? this.dataSource.manager).getRepository(AlertDelivery);
    const rows = deliveries.map((delivery) =>
      repo.create({
        ...delivery,
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
        deliveredAt: null,
        lastError: null,
        claimedBy: null,
        claimedUntil: null,
        digestId: null,
        eventKey: delivery.eventKey ?? null,
      }),
    );
    return repo.save(rows, { chunk: 200 });
  }

  /**
   * Queues an alert decided by one of several servers, in one transaction: the decision's lease is checked
   * (and held until commit, so a takeover waits), each channel's storm is counted from the queue itself
   * under a lock per channel (so every server sees every server's alerts), and a delivery whose event key
   * is queued for that target already is not queued again. Returns the deliveries queued now.
   */
  async enqueueShared(alert: SharedAlert): Promise<AlertDelivery[]> {
    return this.dataSource.transaction(async (manager) => {
      await alert.fence(manager);
      const rows: Record<string, unknown>[] = [];
      for (const channel of alert.channels) {
        if (channel.targets.length === 0) continue;
        let held = false;
        if (alert.storm) {
          await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [STORM_LOCK_NAMESPACE, channel.name]);
          const [{ count }] = (await manager.query(
            `SELECT COUNT(*) AS count FROM "alert_deliveries" WHERE "target_key" = $1 AND "created_at" > $2 ` +
              `AND "event_key" IS NOT NULL AND "status" NOT IN ('held', 'digested')`,
            [channel.targets[0]!.key, alert.now - alert.storm.windowMs],
          )) as [{ count: string }];
          held = Number(count) >= alert.storm.threshold;
        }
        for (const target of channel.targets) {
          rows.push({
            channel: channel.name,
            targetType: target.type,
            targetKey: target.key,
            event: alert.event,
            status: held ? 'held' : 'pending',
            attempts: 0,
            nextAttemptAt: alert.now,
            createdAt: alert.now,
            updatedAt: alert.now,
            eventKey: alert.eventKey,
          });
        }
      }
      if (rows.length === 0) return [];
      const result = await manager.createQueryBuilder().insert().into(AlertDelivery).values(rows).orIgnore().returning('*').execute();
      return (result.raw as Record<string, unknown>[]).map(toDelivery);
    });
  }

  /**
   * Takes the next due pending delivery of one target for this worker, until `leaseUntil`. PostgreSQL
   * skips rows another server holds (FOR UPDATE SKIP LOCKED); SQLite serialises writers anyway.
   */
  async claimNext(targetKey: string, workerId: string, now: number, leaseUntil: number): Promise<AlertDelivery | null> {
    const p = (index: number) => this.parameter(index);
    const lock = this.postgres ? ' FOR UPDATE SKIP LOCKED' : '';
    const sql =
      `UPDATE "alert_deliveries" SET "status" = 'sending', "claimed_by" = ${p(1)}, "claimed_until" = ${p(2)}, "updated_at" = ${p(3)} ` +
      `WHERE "id" = (SELECT "id" FROM "alert_deliveries" WHERE "target_key" = ${p(4)} AND "status" = 'pending' AND "next_attempt_at" <= ${p(5)} ` +
      `ORDER BY "next_attempt_at", "id" LIMIT 1${lock}) RETURNING *`;
    const rows = (await this.dataSource.query(sql, [workerId, leaseUntil, now, targetKey, now])) as
      Record<string, unknown>[] | [Record<string, unknown>[], number];
    const list = this.postgres && Array.isArray(rows[0]) ? (rows[0] as Record<string, unknown>[]) : (rows as Record<string, unknown>[]);
    return list.length > 0 ? toDelivery(list[0]!) : null;
  }

  /**
   * Records an attempt by the worker holding the claim. A failure only updates a delivery still `sending`
   * (one cancelled meanwhile stays cancelled: no retry); a success is recorded as sent either way, because
   * the receiver has it. Returns whether the delivery was updated.
   */
  async recordAttempt(attempt: Omit<AlertAttempt, 'id'>, update: Partial<AlertDelivery>, workerId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      await manager.getRepository(AlertAttempt).insert(attempt);
      const statuses: DeliveryStatus[] = attempt.ok ? ['sending', 'cancelled'] : ['sending'];
      const result = await manager
        .getRepository(AlertDelivery)
        .update({ id: attempt.deliveryId, claimedBy: workerId, status: In(statuses) }, { ...update, claimedBy: null, claimedUntil: null });
      return (result.affected ?? 0) > 0;
    });
  }

  /**
   * Cancels every delivery of these targets that is not finished (pending, retries, held, and sends in
   * flight, whose worker then records its attempt without retrying). They stay in the log with `reason`.
   * `createdBefore` spares deliveries queued after that moment (for a channel made again meanwhile).
   */
  async cancelAll(targetKeys: string[], reason: string, now: number, createdBefore?: number): Promise<number> {
    if (targetKeys.length === 0) return 0;
    const result = await this.dataSource.getRepository(AlertDelivery).update(
      {
        targetKey: In(targetKeys),
        status: In(['pending', 'held', 'sending']),
        ...(createdBefore === undefined ? {} : { createdAt: LessThan(createdBefore) }),
      },
      { status: 'cancelled', lastError: reason, updatedAt: now },
    );
    return result.affected ?? 0;
  }

  /** Deliveries claimed by a server that died are handed back. */
  async releaseExpiredClaims(now: number): Promise<number> {
    const result = await this.dataSource
      .getRepository(AlertDelivery)
      .update(
        { status: 'sending', claimedUntil: LessThan(now) },
        { status: 'pending', claimedBy: null, claimedUntil: null, updatedAt: now },
      );
    return result.affected ?? 0;
  }

  /** A server starting again hands back what it held itself, whatever the lease says. */
  async releaseClaimsOf(workerId: string, now: number): Promise<void> {
    await this.dataSource
      .getRepository(AlertDelivery)
      .update({ status: 'sending', claimedBy: workerId }, { status: 'pending', claimedBy: null, claimedUntil: null, updatedAt: now });
  }

  /** When the next pending delivery of a target becomes due, if any. */
  async nextDueAt(targetKey: string): Promise<number | null> {
    const row = await this.dataSource
      .getRepository(AlertDelivery)
      .createQueryBuilder('d')
      .select('MIN(d.next_attempt_at)', 'due')
      .where('d.target_key = :targetKey AND d.status = :status', { targetKey, status: 'pending' })
      .getRawOne<{ due: string | number | null }>();
    return row?.due === null || row?.due === undefined ? null : Number(row.due);
  }

  /** Targets that have queued work (to start workers for, or to fail when their channel is gone). */
  async targetsWithWork(): Promise<{ targetKey: string; channel: string; targetType: string }[]> {
    return this.dataSource
      .getRepository(AlertDelivery)
      .createQueryBuilder('d')
      .select(['d.target_key AS "targetKey"', 'd.channel AS "channel"', 'd.target_type AS "targetType"'])
      .where('d.status IN (:...statuses)', { statuses: ['pending', 'held'] })
      .groupBy('d.target_key, d.channel, d.target_type')
      .getRawMany();
  }

  /** Held (storm) deliveries of one target, oldest first. */
  heldFor(targetKey: string): Promise<AlertDelivery[]> {
    return this.dataSource.getRepository(AlertDelivery).find({ where: { targetKey, status: 'held' }, order: { id: 'ASC' } });
  }

  /** Turns held deliveries into one digest delivery, atomically. */
  async digest(held: AlertDelivery[], digest: NewDelivery, now: number): Promise<AlertDelivery> {
    return this.dataSource.transaction(async (manager) => {
      const [created] = await this.enqueue([digest], now, manager);
      await manager
        .getRepository(AlertDelivery)
        .update({ id: In(held.map((row) => row.id)), status: 'held' }, { status: 'digested', digestId: created!.id, updatedAt: now });
      return created!;
    });
  }

  findByIds(ids: number[]): Promise<AlertDelivery[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(AlertDelivery).find({ where: { id: In(ids) }, order: { id: 'ASC' } });
  }

  findById(id: number): Promise<AlertDelivery | null> {
    return this.dataSource.getRepository(AlertDelivery).findOneBy({ id });
  }

  /** Newest first: `limit` deliveries, from `offset` on. */
  list(filter: DeliveryFilter & { offset?: number; limit: number }): Promise<AlertDelivery[]> {
    return this.matching(filter)
      .orderBy('d.id', 'DESC')
      .offset(filter.offset ?? 0)
      .limit(filter.limit)
      .getMany();
  }

  /** How many deliveries match, on all pages. */
  count(filter: DeliveryFilter): Promise<number> {
    return this.matching(filter).getCount();
  }

  private matching(filter: DeliveryFilter) {
    const query = this.dataSource.getRepository(AlertDelivery).createQueryBuilder('d');
    if (filter.channel) query.andWhere('d.channel = :channel', { channel: filter.channel });
    if (filter.status) query.andWhere('d.status = :status', { status: filter.status });
    if (filter.beforeId) query.andWhere('d.id < :beforeId', { beforeId: filter.beforeId });
    return query;
  }

  attemptsOf(deliveryIds: number[]): Promise<AlertAttempt[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(AlertAttempt).find({ where: { deliveryId: In(deliveryIds) }, order: { id: 'ASC' } });
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.dataSource
      .getRepository(AlertDelivery)
      .createQueryBuilder('d')
      .select('d.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('d.status')
      .getRawMany<{ status: string; count: string | number }>();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  /** Removes finished deliveries (and their attempts) older than `before`. */
  async prune(before: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const old = await manager
        .getRepository(AlertDelivery)
        .find({ select: { id: true }, where: { createdAt: LessThan(before), status: In([...FINAL_STATUSES]) }, take: 5000 });
      if (old.length === 0) return 0;
      const ids = old.map((row) => row.id);
      await manager.getRepository(AlertAttempt).delete({ deliveryId: In(ids) });
      await manager.getRepository(AlertDelivery).delete({ id: In(ids) });
      return ids.length;
    });
  }
}

function toDelivery(raw: Record<string, unknown>): AlertDelivery {
  const delivery = new AlertDelivery();
  for (const [column, property] of Object.entries(COLUMNS)) {
    const value = raw[column];
    (delivery as unknown as Record<string, unknown>)[property] =
      NUMERIC.has(property) && value !== null && value !== undefined ? Number(value) : value;
  }
  return delivery;
}
