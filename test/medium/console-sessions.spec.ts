import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { ServerMetaRepository } from '../../app/database/server-meta.repository.js';
import { Clock } from '../../app/runtime/clock.js';
import { TokenRepository } from '../../app/tokens/token.repository.js';
import { TokenService } from '../../app/tokens/token.service.js';
import { csrfTokenFor } from '../../app/web/csrf.js';
import { SessionRepository } from '../../app/web/session.repository.js';
import { hashSessionId, SessionService } from '../../app/web/session.service.js';
import { createTestDatabase, databaseKinds, openDataSource, type TestDatabase } from '../support/databases.js';

class ManualClock extends Clock {
  time = Date.UTC(2026, 10, 22, 12, 0, 0);
  override now(): number {
    return this.time;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

for (const kind of databaseKinds()) {
  describe(`console sessions on ${kind}`, () => {
    let database: TestDatabase;
    let dataSource: DataSource;
    let clock: ManualClock;
    let tokens: TokenService;
    let sessions: SessionService;
    const lastSeen = async (sessionId: string) =>
      Number(
        (await dataSource.query(`SELECT "last_seen_at" FROM "console_sessions" WHERE "id_hash" = '${hashSessionId(sessionId)}'`))[0]
          ?.last_seen_at,
      );
    const count = async () => Number((await dataSource.query(`SELECT COUNT(*) AS n FROM "console_sessions"`))[0].n);

    before(async () => {
      database = await createTestDatabase(kind);
      dataSource = await openDataSource(database);
      clock = new ManualClock();
      tokens = new TokenService(new TokenRepository(dataSource), new ServerMetaRepository(dataSource), clock);
      sessions = new SessionService(new SessionRepository(dataSource), tokens, clock);
    });
    after(async () => {
      await sessions.onModuleDestroy();
      await tokens.flushPendingWrites();
      await dataSource.destroy();
      await database.dispose();
    });

    const signIn = async (name = 'admin') => {
      const issued = await tokens.issue(name, 'admin');
      return { issued, ...(await sessions.start(issued.token)) };
    };

    it('finds a session by its cookie value, with the CSRF token derived from it', async () => {
      const { sessionId, csrfToken, issued } = await signIn();
      const found = await sessions.find(sessionId);
      assert.equal(found?.token.id, issued.token.id);
      assert.equal(found?.csrfToken, csrfToken);
      assert.equal(csrfToken, csrfTokenFor(sessionId));
      // Change the last character to one it is not, so the id really is another one.
      const other = `${sessionId.slice(0, -1)}${sessionId.endsWith('A') ? 'B' : 'A'}`;
      assert.equal(await sessions.find(other), null, 'another id finds nothing');
      assert.equal(await sessions.find('short'), null);
    });

    it('ends a session after 12 idle hours, and records activity at most once a minute', async () => {
      const { sessionId } = await signIn();
      const started = clock.time;
      clock.time += 30_000;
      sessions.recordActivity((await sessions.find(sessionId))!);
      await sessions.onModuleDestroy();
      assert.equal(await lastSeen(sessionId), started, 'not written within the first minute');
      clock.time = started + 11 * HOUR;
      sessions.recordActivity((await sessions.find(sessionId))!);
      await sessions.onModuleDestroy();
      assert.equal(await lastSeen(sessionId), started + 11 * HOUR);
      clock.time = started + 11 * HOUR + 12 * HOUR - 1;
      assert.ok(await sessions.find(sessionId), 'alive just before 12 idle hours');
      clock.time = started + 11 * HOUR + 12 * HOUR;
      assert.equal(await sessions.find(sessionId), null, 'gone after 12 idle hours');
      assert.ok(Number.isNaN(await lastSeen(sessionId)), 'and its row deleted');
    });

    it('ends a busy session 7 days after sign-in', async () => {
      const { sessionId } = await signIn();
      const started = clock.time;
      for (let at = started + 11 * HOUR; at < started + 7 * DAY; at += 11 * HOUR) {
        clock.time = at;
        sessions.recordActivity((await sessions.find(sessionId))!);
      }
      await sessions.onModuleDestroy();
      clock.time = started + 7 * DAY - 1;
      assert.ok(await sessions.find(sessionId));
      clock.time = started + 7 * DAY;
      assert.equal(await sessions.find(sessionId), null);
    });

    it('ends every session of a token that is rotated, revoked or expires', async () => {
      const rotatedOne = await signIn('rotated');
      const sibling = await sessions.start(rotatedOne.issued.token);
      await tokens.rotate(rotatedOne.issued.token.id);
      assert.equal(await sessions.find(rotatedOne.sessionId), null);
      assert.equal(await sessions.find(sibling.sessionId), null, 'every session of that token');
      const again = await tokens.rotate(rotatedOne.issued.token.id);
      const afterRotation = await sessions.start(again.token);
      assert.ok(await sessions.find(afterRotation.sessionId), 'signing in with the new secret works');

      const revokedOne = await signIn('revoked');
      const bystander = await signIn('bystander');
      await tokens.revoke(revokedOne.issued.token.id);
      assert.equal(await sessions.find(revokedOne.sessionId), null);
      assert.ok(await sessions.find(bystander.sessionId), 'other tokens keep their sessions');

      const expiring = await tokens.issue('expiring', 'admin', 1);
      const session = await sessions.start(expiring.token);
      clock.time += DAY;
      assert.equal(await sessions.find(session.sessionId), null);
    });

    it('sign-out deletes the session; the hourly prune removes expired ones', async () => {
      const { sessionId } = await signIn();
      await sessions.end(sessionId);
      assert.equal(await sessions.find(sessionId), null);
      const before = await count();
      await signIn();
      clock.time += 13 * HOUR;
      const fresh = await signIn();
      await sessions.prune();
      assert.equal(await count(), 1, `only the fresh session is left of ${before + 2}`);
      assert.ok(await sessions.find(fresh.sessionId));
    });
  });
}
