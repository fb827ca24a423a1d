import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

/**
 * A signed-in console session. The session id itself lives only in the browser's cookie; the table keeps
 * its SHA-256. The session belongs to the admin token it was signed in with, and to that token's secret
 * at the time (its hash), so revoking, expiring or rotating the token ends the session on its next request.
 */
@Entity({ name: 'console_sessions' })
export class ConsoleSession {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_console_sessions' })
  idHash!: string;

  @Index('IDX_console_sessions_token_id')
  @Column({ name: 'token_id', type: 'integer' })
  tokenId!: number;

  @Column({ name: 'token_secret_hash', type: 'varchar', length: 64 })
  tokenSecretHash!: string;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochMsColumn({ name: 'last_seen_at' })
  lastSeenAt!: number;
}
