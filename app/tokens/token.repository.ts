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
