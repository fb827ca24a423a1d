import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

/**
 * A planned window in which states show `maintenance`, no alert is sent and uptime is not charged.
 * One-off (`starts_at`..`ends_at`) or recurring (`cron` + `duration_min` in `timezone`).
 */
@Entity({ name: 'maintenance_windows' })
export class MaintenanceWindowRow {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_maintenance_windows' })
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @EpochMsColumn({ name: 'starts_at', nullable: true })
  startsAt!: number | null;

  @EpochMsColumn({ name: 'ends_at', nullable: true })
  endsAt!: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  cron!: string | null;

  @Column({ name: 'duration_min', type: 'integer', nullable: true })
  durationMin!: number | null;

  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timezone!: string;

  /** Scope: everything, or any of monitor ids, a service glob, agent ids (JSON arrays). */
  @Column({ name: 'all_targets', type: 'boolean', default: false })
  all!: boolean;

  @Column({ name: 'monitor_ids', type: 'text', default: '[]' })
  monitorIds!: string;

  @Column({ name: 'services', type: 'varchar', length: 255, nullable: true })
  services!: string | null;

  @Column({ name: 'agent_ids', type: 'text', default: '[]' })
  agentIds!: string;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;
}
