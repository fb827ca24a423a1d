import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { ServerMetaRepository } from '../../app/database/server-meta.repository.js';
import { Clock } from '../../app/runtime/clock.js';
import { TokenRepository } from '../../app/tokens/token.repository.js';
import { TokenService } from '../../app/tokens/token.service.js';
import { createTestDatabase, databaseKinds, openDataSource, type TestDatabase } from '../support/databases.js';

class ManualClock extends Clock {
  time = Date.UTC(2026, 10, 22, 12, 0, 0);
  override now(): number {
    return this.time;
  }
}

const DAY = 24 * 60 * 60 * 1000;

function serviceOn(dataSource: DataSource, clock: Clock): TokenService {
  return new TokenService(new TokenRepository(dataSource), new ServerMetaRepository(dataSource), clock);
}

for (const kind of databaseKinds()) {
  describe(`tokens on ${kind}`, () => {
    let database: TestDatabase;
    let dataSource: DataSource;
    let clock: ManualClock;
    let tokens: TokenService;

    before(async () => {
      database = await createTestDatabase(kind);
      dataSource = await openDataSource(database);
      clock = new ManualClock();
      tokens = serviceOn(dataSource, clock);
    });
    after(async () => {
      await tokens.flushPendingWrites();
      await dataSource.destroy();
      await database.dispose();
    });

    it('makes the first admin token exactly once', async () => {
      const secret = await tokens.issueFirstAdminToken();
      assert.match(secret ?? '', /^sw_admin_[0-9a-f]{64}$/);
      assert.equal(await tokens.issueFirstAdminToken(), null, 'a later start makes none');
      const outcome = await tokens.authenticate(secret!);
      assert.ok(outcome.ok && outcome.token.type === 'admin');
    });

    if (kind === 'postgres') {
      it('lets exactly one of several servers sharing the database make the first token', async () => {
        const fresh = await createTestDatabase(kind);
        const sources = await Promise.all([openDataSource(fresh), openDataSource(fresh), openDataSource(fresh)]);
        try {
          const results = await Promise.all(sources.map((source) => serviceOn(source, clock).issueFirstAdminToken()));
          assert.equal(results.filter((secret) => secret !== null).length, 1, `one winner, got ${JSON.stringify(results)}`);
          const admins = await sources[0]!.query(`SELECT COUNT(*)::int AS n FROM "api_tokens" WHERE "type" = 'admin'`);
          assert.equal(admins[0].n, 1);
        } finally {
          await Promise.all(sources.map((source) => source.destroy()));
          await fresh.dispose();
        }
      });
    }

    it('stores only the SHA-256 of a secret, never the secret', async () => {
      const { secret, token } = await tokens.issue('web-01', 'agent');
      const rows = await dataSource.query(`SELECT * FROM "api_tokens" WHERE "id" = ${token.id}`);
      const stored = JSON.stringify(rows);
      assert.ok(!stored.includes(secret), 'the secret is not in the row');
      assert.ok(!stored.includes(secret.slice('sw_agent_'.length, -4)), 'no part of it beyond the last four characters either');
      assert.match(rows[0].secret_hash, /^[0-9a-f]{64}$/);
    });

    it('gives each type its prefix and accepts the secret only as issued', async () => {
      for (const type of ['admin', 'agent', 'poller', 'ingest'] as const) {
        const { secret } = await tokens.issue(`t-${type}`, type);
        assert.ok(secret.startsWith(`sw_${type}_`));
        assert.equal((await tokens.authenticate(secret)).ok, true);
        const flipped = secret.slice(0, -1) + (secret.endsWith('0') ? '1' : '0');
        assert.deepEqual(await tokens.authenticate(flipped), { ok: false, reason: 'unknown' });
      }
      assert.deepEqual(await tokens.authenticate('sw_root_' + 'a'.repeat(64)), { ok: false, reason: 'malformed' });
      assert.deepEqual(await tokens.authenticate('hunter2'), { ok: false, reason: 'malformed' });
    });

    it('expires a token after its days have passed', async () => {
      const { secret, token } = await tokens.issue('short-lived', 'poller', 2);
      assert.equal(token.expiresAt, clock.time + 2 * DAY);
      clock.time += 2 * DAY - 1000;
      assert.equal((await tokens.authenticate(secret)).ok, true);
      clock.time += 1000;
      assert.deepEqual(await tokens.authenticate(secret), { ok: false, reason: 'expired', tokenId: token.id });
      await assert.rejects(tokens.rotate(token.id), /has expired and cannot be rotated/);
    });

    it('revokes at once and keeps the token listed as revoked', async () => {
      const { secret, token } = await tokens.issue('to-revoke', 'agent');
      await tokens.revoke(token.id);
      assert.deepEqual(await tokens.authenticate(secret), { ok: false, reason: 'revoked', tokenId: token.id });
      const listed = (await tokens.list()).find((item) => item.id === token.id)!;
      assert.equal(listed.revokedAt, clock.time);
      await assert.rejects(tokens.rotate(token.id), /is revoked and cannot be rotated/);
      await assert.rejects(tokens.revoke(999_999), /There is no token with id 999999/);
    });

    it('rotates: same id and type, new secret, the old one dead', async () => {
      const { secret: old, token } = await tokens.issue('to-rotate', 'poller');
      const rotated = await tokens.rotate(token.id);
      assert.equal(rotated.token.id, token.id);
      assert.notEqual(rotated.secret, old);
      assert.ok(rotated.secret.startsWith('sw_poller_'));
      assert.deepEqual(await tokens.authenticate(old), { ok: false, reason: 'unknown' });
      assert.equal((await tokens.authenticate(rotated.secret)).ok, true);
    });

    it('records when a token was last used, at most once a minute', async () => {
      const { secret, token } = await tokens.issue('used', 'agent');
      await tokens.authenticate(secret);
      const readLastUsed = async () => {
        // the write is not awaited by authenticate(); give it a moment
        for (let attempt = 0; attempt < 50; attempt++) {
          const row = (await tokens.list()).find((item) => item.id === token.id)!;
          if (row.lastUsedAt !== null) return row.lastUsedAt;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return null;
      };
      assert.equal(await readLastUsed(), clock.time);
    });

    it('admin-token --reset revokes every admin token and issues one new one', async () => {
      const before = (await tokens.list()).filter((token) => token.type === 'admin' && token.revokedAt === null);
      assert.ok(before.length >= 1);
      const { secret, revoked } = await tokens.resetAdminTokens();
      assert.equal(revoked, before.length);
      const live = (await tokens.list()).filter((token) => token.type === 'admin' && token.revokedAt === null);
      assert.equal(live.length, 1);
      assert.equal((await tokens.authenticate(secret)).ok, true);
      const agents = (await tokens.list()).filter((token) => token.type === 'agent' && token.revokedAt === null);
      assert.ok(agents.length > 0, 'other token types are left alone');
    });
  });
}
