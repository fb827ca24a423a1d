import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type EntityManager, type Repository } from 'typeorm';
import { ApiToken, type TokenType } from './api-token.entity.js';

export interface NewToken {
  name: string;
  type: TokenType;
  secretHash: string;
  hint: string;
  createdAt: number;
  expiresAt: number | null;
}

/** `active`: neither revoked nor expired. */
export type TokenState = 'active' | 'revoked' | 'expired';

export interface TokenFilter {
  type?: TokenType;
  state?: TokenState;
  /** Text in the name, any case. */
  q?: string;
}

@Injectable()
export class TokenRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager): Repository<ApiToken> {
    return (manager ?? this.dataSource.manager).getRepository(ApiToken);
  }

  async insert(token: NewToken, manager?: EntityManager): Promise<ApiToken> {
    const entity = this.repo(manager).create({ ...token, revokedAt: null, lastUsedAt: null });
    return this.repo(manager).save(entity);
  }

  findBySecretHash(secretHash: string): Promise<ApiToken | null> {
    return this.repo().findOneBy({ secretHash });
  }

  findById(id: number): Promise<ApiToken | null> {
    return this.repo().findOneBy({ id });
  }

  list(): Promise<ApiToken[]> {
    return this.repo().find({ order: { id: 'ASC' } });
  }

  /** Oldest first: a page of the tokens matching, and how many match in all. */
  async page(filter: TokenFilter, now: number, offset: number, limit: number | null): Promise<{ tokens: ApiToken[]; total: number }> {
    const query = this.repo().createQueryBuilder('t').orderBy('t.id', 'ASC');
    if (filter.type) query.andWhere('t.type = :type', { type: filter.type });
    if (filter.q) {
      const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      query.andWhere(`LOWER(t.name) LIKE :pattern ESCAPE '\\'`, { pattern });
    }
    if (filter.state === 'revoked') query.andWhere('t.revokedAt IS NOT NULL');
    else if (filter.state === 'expired') query.andWhere('t.revokedAt IS NULL AND t.expiresAt IS NOT NULL AND t.expiresAt <= :now', { now });
    else if (filter.state === 'active') query.andWhere('t.revokedAt IS NULL AND (t.expiresAt IS NULL OR t.expiresAt > :now)', { now });
    query.offset(offset);
    if (limit !== null) query.limit(limit);
    const [tokens, total] = await query.getManyAndCount();
    return { tokens, total };
  }

  async revoke(id: number, at: number): Promise<void> {
    await this.repo().update({ id, revokedAt: IsNull() }, { revokedAt: at });
  }

  /** Revokes every live token of a type; returns how many. */
  async revokeAllOfType(type: TokenType, at: number, manager?: EntityManager): Promise<number> {
    const result = await this.repo(manager).update({ type, revokedAt: IsNull() }, { revokedAt: at });
    return result.affected ?? 0;
  }

  async replaceSecret(id: number, secretHash: string, hint: string): Promise<void> {
    await this.repo().update({ id }, { secretHash, hint });
  }

  async touch(id: number, at: number): Promise<void> {
    await this.repo().update({ id }, { lastUsedAt: at });
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
