import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochMsColumn } from '../database/columns.js';

export const TOKEN_TYPES = ['admin', 'agent', 'poller', 'ingest'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** An API token. Only the SHA-256 of the secret is kept; the secret itself is shown once. */
@Entity({ name: 'api_tokens' })
export class ApiToken {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'PK_api_tokens' })
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: TokenType;

  @Index('IDX_api_tokens_secret_hash', { unique: true })
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  /** Last four characters of the secret, so people can tell their tokens apart in a list. */
  @Column({ type: 'varchar', length: 8 })
  hint!: string;

  @EpochMsColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochMsColumn({ name: 'expires_at', nullable: true })
  expiresAt!: number | null;

  @EpochMsColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: number | null;

  @EpochMsColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt!: number | null;
}
