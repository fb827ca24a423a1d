import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

export const MONITOR_STATES = ['pending', 'up', 'down', 'warning', 'paused', 'maintenance'] as const;
export type MonitorState = (typeof MONITOR_STATES)[number];

/**
 * A monitor: what to check (type = check plugin id, target, options as one JSON column so a new plugin
 * never needs a migration), how often, from which sources, and its current state.
 */
@Entity({ name: 'monitors' })
export class Monitor {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_monitors' })
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Index('IDX_monitors_type')
  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ type: 'varchar', length: 2048 })
  target!: string;

  @Column({ name: 'interval_s', type: 'integer' })
  intervalS!: number;

  @Column({ name: 'timeout_s', type: 'integer' })
  timeoutS!: number;

  @Column({ type: 'integer' })
  retries!: number;

  @Column({ type: 'integer', nullable: true })
  quorum!: number | null;

  /** Poller ids that also check this monitor (each is the source `poller:<id>`). */
  @Column({ type: 'simple-json' })
  pollers!: number[];

  /** Alert channel names (used by the alerts feature). */
  @Column({ type: 'simple-json' })
  alerts!: string[];

  /** The plugin's options, validated against its config class. */
  @Column({ type: 'simple-json' })
  options!: Record<string, unknown>;

  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  @Index('IDX_monitors_status')
  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: MonitorState;

  /** Why the monitor is in its state, in words (the result message that caused it). */
  @Column({ name: 'status_message', type: 'text', default: '' })
  statusMessage!: string;

  @EpochMsColumn({ name: 'last_change_at', nullable: true })
  lastChangeAt!: number | null;

  /** Number of the latest incident (0 before the first). */
  @Column({ name: 'incident_number', type: 'integer', default: 0 })
  incidentNumber!: number;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochMsColumn({ name: 'updated_at' })
  updatedAt!: number;
}
