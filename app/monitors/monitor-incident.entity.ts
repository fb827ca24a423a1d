import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

export type IncidentResolution = 'recovered' | 'paused';

/** An outage: from the monitor going down until it is up again. Numbered per monitor from 1. */
@Entity({ name: 'monitor_incidents' })
@Index('IDX_monitor_incidents_number', ['monitorId', 'number'], { unique: true })
export class MonitorIncident {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_monitor_incidents' })
  id!: number;

  @Column({ name: 'monitor_id', type: 'integer' })
  monitorId!: number;

  @Column({ type: 'integer' })
  number!: number;

  @EpochMsColumn({ name: 'started_at' })
  startedAt!: number;

  @EpochMsColumn({ name: 'ended_at', nullable: true })
  endedAt!: number | null;

  /** The message that opened it: `HTTP 503`, `connection refused`. */
  @Column({ type: 'text' })
  cause!: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution!: IncidentResolution | null;
}
