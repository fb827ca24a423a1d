import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

/** An alert channel made through the API (channels from [alerts.NAME] in the config file are not stored). */
@Entity({ name: 'alert_channels' })
export class AlertChannelRow {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_alert_channels' })
  id!: number;

  @Index('IDX_alert_channels_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** The alerter plugin id: mail, webhook, slack, script, snmp-trap… */
  @Column({ type: 'varchar', length: 32 })
  type!: string;

  /** The plugin's settings as JSON. */
  @Column({ type: 'text' })
  settings!: string;

  /** Used for every monitor, alarm, agent and poller that names no channel of its own. */
  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault!: boolean;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochMsColumn({ name: 'updated_at' })
  updatedAt!: number;
}
