import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

/** One try at sending a delivery, successful or not. */
@Entity({ name: 'alert_attempts' })
@Index('IDX_alert_attempts_delivery', ['deliveryId'])
export class AlertAttempt {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_alert_attempts' })
  id!: number;

  @Column({ name: 'delivery_id', type: 'integer' })
  deliveryId!: number;

  @EpochMsColumn()
  at!: number;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ type: 'boolean' })
  ok!: boolean;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** For failures: whether a retry could help. */
  @Column({ type: 'boolean', nullable: true })
  temporary!: boolean | null;
}
