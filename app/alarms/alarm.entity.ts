import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

/** An alarm as created (lazily) from a definition: its state and incident count survive restarts. */
@Entity({ name: 'heartbeat_alarms' })
export class HeartbeatAlarmEntity {
  @PrimaryColumn({ type: 'varchar', length: 512, primaryKeyConstraintName: 'PK_heartbeat_alarms' })
  name!: string;

  /** The name of the definition it came from (`server-$name` for `server-alpha`). */
  @Column({ type: 'varchar', length: 255 })
  definition!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: string;

  @Column({ name: 'incident_nbr', type: 'integer' })
  incidentNbr!: number;

  @EpochMsColumn({ name: 'last_state_change' })
  lastStateChange!: number;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;
}

/** An alarm definition made with POST /api/alarms ([[alarms]] from the config are not stored). */
@Entity({ name: 'heartbeat_alarm_definitions' })
export class AlarmDefinitionEntity {
  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'PK_heartbeat_alarm_definitions' })
  name!: string;

  @Column({ type: 'varchar', length: 1024 })
  pattern!: string;

  /** JSON lists of patterns and alert names. */
  @Column({ type: 'text' })
  includes!: string;

  @Column({ type: 'text' })
  excludes!: string;

  @Column({ type: 'text' })
  alerts!: string;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;
}
