import { Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import { ServerMetaRepository } from '../database/server-meta.repository.js';
import { EventBus } from '../events/pulse-events.js';
import { ApiError } from '../http/api-error.js';
import { Clock } from '../runtime/clock.js';
import type { ApiToken, TokenType } from './api-token.entity.js';
import { TokenRepository } from './token.repository.js';
import './token.events.js';
import { digestsEqual, generateTokenSecret, hashTokenSecret, tokenHint, tokenTypeOf } from './token-secret.js';

export interface IssuedToken {
  token: ApiToken;
  /** Shown once, never stored. */
  secret: string;
}

export type AuthFailure = 'malformed' | 'unknown' | 'expired' | 'revoked';
export type AuthOutcome = { ok: true; token: ApiToken } | { ok: false; reason: AuthFailure; tokenId?: number };

const DAY_MS = 24 * 60 * 60 * 1000;
/** last_used_at is written at most this often per token, to keep authentication read-only on busy paths. */
const LAST_USED_RESOLUTION_MS = 60_000;
const FIRST_RUN_KEY = 'first_run_at';

@Injectable()
export class TokenService implements OnModuleDestroy {
  private readonly logger = new Logger('Tokens');
  private readonly lastTouched = new Map<number, number>();
  private readonly pendingWrites = new Set<Promise<void>>();

  constructor(
    private readonly tokens: TokenRepository,
    private readonly meta: ServerMetaRepository,
    private readonly clock: Clock,
    /** Absent in the `admin-token --reset` command, which has no event bus (and no listeners). */
    @Optional() private readonly events?: EventBus,
  ) {}

  async issue(name: string, type: TokenType, expiresInDays?: number): Promise<IssuedToken> {
    const issued = await this.issueWith(name, type, expiresInDays);
    this.events?.emit('token.changed', { id: issued.token.id, change: 'created' });
    return issued;
  }

  list(): Promise<ApiToken[]> {
    return this.tokens.list();
  }

  async revoke(id: number): Promise<ApiToken> {
    const token = await this.existing(id);
    if (token.revokedAt === null) {
      await this.tokens.revoke(id, this.clock.now());
      this.logger.log(`token #${id} "${token.name}" (${token.type}) revoked`);
      this.events?.emit('token.changed', { id, change: 'revoked' });
    }
    return (await this.tokens.findById(id))!;
  }

  /** New secret for the same token id; the old secret stops working at once. */
  async rotate(id: number): Promise<IssuedToken> {
    const token = await this.existing(id);
    if (token.revokedAt !== null) throw ApiError.conflict(`Token ${id} is revoked and cannot be rotated; create a new token.`);
    if (token.expiresAt !== null && token.expiresAt <= this.clock.now()) {
      throw ApiError.conflict(`Token ${id} has expired and cannot be rotated; create a new token.`);
    }
    const secret = generateTokenSecret(token.type);
    await this.tokens.replaceSecret(id, hashTokenSecret(secret), tokenHint(secret));
    this.logger.log(`token #${id} "${token.name}" (${token.type}) rotated`);
    this.events?.emit('token.changed', { id, change: 'rotated' });
    return { token: (await this.tokens.findById(id))!, secret };
  }

  async authenticate(secret: string): Promise<AuthOutcome> {
    if (tokenTypeOf(secret) === null) return { ok: false, reason: 'malformed' };
    const digest = hashTokenSecret(secret);
    const token = await this.tokens.findBySecretHash(digest);
    if (!token || !digestsEqual(token.secretHash, digest)) return { ok: false, reason: 'unknown' };
    if (token.revokedAt !== null) return { ok: false, reason: 'revoked', tokenId: token.id };
    const now = this.clock.now();
    if (token.expiresAt !== null && token.expiresAt <= now) return { ok: false, reason: 'expired', tokenId: token.id };
    this.noteUse(token, now);
    return { ok: true, token };
  }

  /**
   * The token a console session was signed in with, while it is still usable with the same secret: null
   * once it is revoked, expired or rotated (its secret hash changed), which ends the session.
   */
  async findUsable(id: number, secretHash: string): Promise<ApiToken | null> {
    const token = await this.tokens.findById(id);
    if (!token || token.revokedAt !== null) return null;
    if (token.expiresAt !== null && token.expiresAt <= this.clock.now()) return null;
    return digestsEqual(token.secretHash, secretHash) ? token : null;
  }

  /**
   * The first start of an empty database makes the admin token. Returns its secret, or null when this
   * installation was already initialised (later starts never make or show one).
   */
  async issueFirstAdminToken(): Promise<string | null> {
    return this.tokens.transaction(async (manager) => {
      const now = this.clock.now();
      if (!(await this.meta.claim(FIRST_RUN_KEY, new Date(now).toISOString(), manager))) return null;
      const issued = await this.issueWith('admin (first run)', 'admin', undefined, manager);
      return issued.secret;
    });
  }

  /** `lillydoo-pulse admin-token --reset`: every admin token revoked, one new one made. */
  async resetAdminTokens(): Promise<{ secret: string; revoked: number }> {
    return this.tokens.transaction(async (manager) => {
      const now = this.clock.now();
      const revoked = await this.tokens.revokeAllOfType('admin', now, manager);
      await this.meta.claim(FIRST_RUN_KEY, new Date(now).toISOString(), manager);
      const issued = await this.issueWith(`admin (reset ${new Date(now).toISOString().slice(0, 10)})`, 'admin', undefined, manager);
      return { secret: issued.secret, revoked };
    });
  }

  private async issueWith(
    name: string,
    type: TokenType,
    expiresInDays: number | undefined,
    manager?: Parameters<TokenRepository['insert']>[1],
  ): Promise<IssuedToken> {
    const secret = generateTokenSecret(type);
    const now = this.clock.now();
    const token = await this.tokens.insert(
      {
        name,
        type,
        secretHash: hashTokenSecret(secret),
        hint: tokenHint(secret),
        createdAt: now,
        expiresAt: expiresInDays === undefined ? null : now + expiresInDays * DAY_MS,
      },
      manager,
    );
    this.logger.log(`token #${token.id} "${name}" (${type}) created`);
    return { token, secret };
  }

  private async existing(id: number): Promise<ApiToken> {
    const token = await this.tokens.findById(id);
    if (!token) throw ApiError.notFound(`There is no token with id ${id}. GET /api/tokens/ lists them.`);
    return token;
  }

  private noteUse(token: ApiToken, now: number): void {
    const last = this.lastTouched.get(token.id) ?? token.lastUsedAt ?? 0;
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.lastTouched.set(token.id, now);
    token.lastUsedAt = now;
    const write = this.tokens
      .touch(token.id, now)
      .catch((error: Error) => this.logger.warn(`could not record use of token #${token.id}: ${error.message}`))
      .finally(() => this.pendingWrites.delete(write));
    this.pendingWrites.add(write);
  }

  /** Waits for last-used writes still in flight, so shutdown does not cut them off. */
  async flushPendingWrites(): Promise<void> {
    await Promise.allSettled([...this.pendingWrites]);
  }

  onModuleDestroy(): Promise<void> {
    return this.flushPendingWrites();
  }
}
