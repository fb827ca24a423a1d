import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Small facts about this installation, e.g. when it was first started. */
@Entity({ name: 'server_meta' })
export class ServerMeta {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_server_meta' })
  key!: string;

  @Column({ type: 'text' })
  value!: string;
}
