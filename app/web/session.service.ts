import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { createHash, randomBytes } from 'node:crypto';
import { Clock } from '../runtime/clock.js';
import type { ApiToken } from '../tokens/api-token.entity.js';
import { TokenService } from '../tokens/token.service.js';
import { csrfTokenFor } from './csrf.js';
import { SessionRepository } from './session.repository.js';
import { SESSION_IDLE_MS, SESSION_MAX_AGE_MS, sessionExpiry, shouldRecordActivity } from './session-policy.js';

/** A session found for a request: who it is and the CSRF token its state changes must carry. */
export interface ActiveSession {
  idHash: string;
  token: ApiToken;
  csrfToken: string;
  createdAt: number;
}

export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('hex');
}

/** Console sessions: sign-in makes one, each request finds it (checking times and its token), sign-out ends it. */
@Injectable()
export class SessionService implements OnModuleDestroy {
  private readonly logger = new Logger('Console');
  /** Last last_seen_at written per session hash, to throttle the writes. */
  private readonly lastWritten = new Map<string, number>();
  private readonly pendingWrites = new Set<Promise<void>>();

  constructor(
    private readonly sessions: SessionRepository,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  /** Signs in with an admin token; returns the new session id (for the cookie only) and its CSRF token. */
  async start(token: ApiToken): Promise<{ sessionId: string; csrfToken: string }> {
    const sessionId = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const idHash = hashSessionId(sessionId);
    await this.sessions.insert({ idHash, tokenId: token.id, tokenSecretHash: token.secretHash, createdAt: now, lastSeenAt: now });
    this.lastWritten.set(idHash, now);
    this.logger.log(`console session started with token #${token.id} "${token.name}"`);
    return { sessionId, csrfToken: csrfTokenFor(sessionId) };
  }

  /**
   * The live session for a cookie value, or null. A session past its idle or absolute limit, or whose
   * token was revoked, expired or rotated since sign-in, is deleted and not returned.
   */
  async find(sessionId: string): Promise<ActiveSession | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return null;
    const idHash = hashSessionId(sessionId);
    const row = await this.sessions.findByIdHash(idHash);
    if (!row) return null;
    const now = this.clock.now();
    const lastSeenAt = Math.max(row.lastSeenAt, this.lastWritten.get(idHash) ?? 0);
    const expiry = sessionExpiry({ createdAt: row.createdAt, lastSeenAt }, now);
    const token = expiry ? null : await this.tokens.findUsable(row.tokenId, row.tokenSecretHash);
    if (!token) {
      this.logger.log(`console session of token #${row.tokenId} ended: ${expiry ?? 'its token was revoked, rotated or expired'}`);
      await this.forget(idHash);
      return null;
    }
    return { idHash, token, csrfToken: csrfTokenFor(sessionId), createdAt: row.createdAt };
  }

  /** Whether a session found earlier is still valid (open event streams ask this now and then). */
  async stillValid(sessionId: string): Promise<boolean> {
    return (await this.find(sessionId)) !== null;
  }

  /** Notes a request of the session; the database hears of it at most once a minute. */
  recordActivity(session: ActiveSession): void {
    const now = this.clock.now();
    if (!shouldRecordActivity(this.lastWritten.get(session.idHash) ?? session.createdAt, now)) return;
    this.lastWritten.set(session.idHash, now);
    const write = this.sessions
      .touch(session.idHash, now)
      .catch((error: Error) => this.logger.warn(`could not record console activity: ${error.message}`))
      .finally(() => this.pendingWrites.delete(write));
    this.pendingWrites.add(write);
  }

  /** Sign-out. */
  async end(sessionId: string): Promise<void> {
    await this.forget(hashSessionId(sessionId));
  }

  @Cron('23 * * * *', { name: 'console-sessions-cleanup' })
  async prune(): Promise<void> {
    const now = this.clock.now();
    const removed = await this.sessions.deleteExpired(now - SESSION_IDLE_MS, now - SESSION_MAX_AGE_MS);
    for (const [idHash, at] of this.lastWritten) if (now - at >= SESSION_IDLE_MS) this.lastWritten.delete(idHash);
    if (removed > 0) this.logger.log(`removed ${removed} expired console session(s)`);
  }

  private async forget(idHash: string): Promise<void> {
    this.lastWritten.delete(idHash);
    await this.sessions.delete(idHash);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.pendingWrites]);
  }
}
