import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

/**
 * pending: waiting for its worker (or for its next attempt); sending: claimed by a worker; sent; failed
 * (permanent error, or temporary errors for the whole retry period); held: part of a storm, waiting to be
 * summed up in a digest; digested: sent as part of a digest delivery; cancelled: its channel was deleted
 * (or left the config file) before it was sent, `last_error` says so.
 */
export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'held', 'digested', 'cancelled'] as const;
/** Statuses a delivery never leaves. */
export const FINAL_STATUSES: readonly DeliveryStatus[] = ['sent', 'failed', 'digested', 'cancelled'];
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One alert for one channel target: the durable queue and, once done, the delivery log. */
@Entity({ name: 'alert_deliveries' })
@Index('IDX_alert_deliveries_due', ['targetKey', 'status', 'nextAttemptAt'])
@Index('IDX_alert_deliveries_created', ['createdAt'])
@Index('IDX_alert_deliveries_event', ['eventKey', 'targetKey'], { unique: true })
export class AlertDelivery {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_alert_deliveries' })
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  channel!: string;

  /** Alerter plugin id. */
  @Column({ name: 'target_type', type: 'varchar', length: 32 })
  targetType!: string;

  /** `<channel>/<type>`: one worker per key. */
  @Column({ name: 'target_key', type: 'varchar', length: 140 })
  targetKey!: string;

  /** The AlertEvent as JSON. */
  @Column({ type: 'text' })
  event!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @EpochMsColumn({ name: 'next_attempt_at' })
  nextAttemptAt!: number;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochMsColumn({ name: 'updated_at' })
  updatedAt!: number;

  @EpochMsColumn({ name: 'delivered_at', nullable: true })
  deliveredAt!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** Which server process holds it while `sending`, and until when (a crashed holder's claim expires). */
  @Column({ name: 'claimed_by', type: 'varchar', length: 64, nullable: true })
  claimedBy!: string | null;

  @EpochMsColumn({ name: 'claimed_until', nullable: true })
  claimedUntil!: number | null;

  /** For `digested` rows: the digest delivery that carried them. */
  @Column({ name: 'digest_id', type: 'integer', nullable: true })
  digestId!: number | null;

  /**
   * Which state change this alert reports (a hash of kind, id, the state left and its start, the state
   * entered), so a change judged again by the server that took over from one that died is queued once.
   * Null for tests and digests.
   */
  @Column({ name: 'event_key', type: 'varchar', length: 64, nullable: true })
  eventKey!: string | null;
}
