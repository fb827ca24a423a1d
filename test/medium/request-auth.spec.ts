import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { ServerConfig } from '../../app/config/config.schema.js';
import { ServerMetaRepository } from '../../app/database/server-meta.repository.js';
import { ApiExceptionFilter } from '../../app/http/api-exception.filter.js';
import { MetricsService } from '../../app/metrics/metrics.service.js';
import { Clock } from '../../app/runtime/clock.js';
import type { AccessRule } from '../../app/tokens/access.decorator.js';
import type { ApiToken } from '../../app/tokens/api-token.entity.js';
import { RequestAuthenticator, SESSION_RESOLVER, type SessionResolver } from '../../app/tokens/request-auth.js';
import { TokenRepository } from '../../app/tokens/token.repository.js';
import { TokenService } from '../../app/tokens/token.service.js';
import { createTestDatabase, openDataSource, quietLogger, type TestDatabase } from '../support/databases.js';

/** What the console's session store will do, reduced to a map: cookie `pulse_session=<id>` → the token it was signed in with. */
class CookieSessions implements SessionResolver {
  readonly sessions = new Map<string, ApiToken>();
  async resolve(request: FastifyRequest): Promise<ApiToken | null> {
    const id = /(?:^|;\s*)pulse_session=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    return (id && this.sessions.get(id)) || null;
  }
}

const ADMIN_ONLY: AccessRule = { tokens: ['admin'] };
const INGEST: AccessRule = { tokens: ['ingest'] };

/** The authenticator built by Nest, as the server builds it: the session resolver comes from a global module, if any. */
async function authenticatorIn(shared: object[]): Promise<{ context: INestApplicationContext; authenticator: RequestAuthenticator }> {
  @Global()
  @Module({ providers: shared as never[], exports: shared.map((provider) => (provider as { provide: unknown }).provide) as never[] })
  class SharedModule {}
  @Module({ providers: [RequestAuthenticator], exports: [RequestAuthenticator] })
  class AuthModule {}
  @Module({ imports: [SharedModule, AuthModule] })
  class RootModule {}
  const context = await NestFactory.createApplicationContext(RootModule, { logger: quietLogger });
  return { context, authenticator: context.get(RequestAuthenticator) };
}

/** A real Fastify server whose routes authenticate like the beat routes do: through the authenticator, errors as the API shows them. */
async function serve(authenticator: RequestAuthenticator): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  const errors = new ApiExceptionFilter();
  for (const [path, rule] of [
    ['/admin', ADMIN_ONLY],
    ['/ingest', INGEST],
  ] as const) {
    app.post(path, async (request, reply) => {
      try {
        const principal = await authenticator.authorize(rule, request);
        return { via: principal?.via, token: principal?.token.name };
      } catch (error) {
        const { status, body } = errors.describe(error, request);
        return reply.status(status).send(body);
      }
    });
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

describe('request authentication (bearer token or console session)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let tokens: TokenService;
  const store = new CookieSessions();
  let admin: { secret: string; token: ApiToken };
  let ingest: { secret: string; token: ApiToken };
  const contexts: INestApplicationContext[] = [];
  const servers: FastifyInstance[] = [];

  const shared = () => [
    { provide: TokenService, useValue: tokens },
    { provide: ServerConfig, useValue: new ServerConfig() },
    { provide: Clock, useValue: new Clock() },
    { provide: MetricsService, useValue: new MetricsService() },
  ];
  const start = async (providers: object[]) => {
    const { context, authenticator } = await authenticatorIn(providers);
    contexts.push(context);
    const { app, url } = await serve(authenticator);
    servers.push(app);
    return (path: string, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, { method: 'POST', headers }).then(async (response) => ({
        status: response.status,
        json: (await response.json()) as any,
      }));
  };

  before(async () => {
    database = await createTestDatabase('sqlite');
    dataSource = await openDataSource(database);
    tokens = new TokenService(new TokenRepository(dataSource), new ServerMetaRepository(dataSource), new Clock());
    admin = await tokens.issue('console admin', 'admin');
    ingest = await tokens.issue('beats', 'ingest');
  });
  after(async () => {
    for (const app of servers) await app.close();
    for (const context of contexts) await context.close();
    await tokens.flushPendingWrites();
    await dataSource.destroy();
    await database.dispose();
  });

  it('accepts a session cookie once a session resolver is provided, with the rights of the token it was signed in with', async () => {
    store.sessions.set('s-admin', admin.token);
    store.sessions.set('s-ingest', ingest.token);
    const post = await start([...shared(), { provide: SESSION_RESOLVER, useValue: store }]);

    assert.deepEqual(await post('/admin', { cookie: 'theme=dark; pulse_session=s-admin' }), {
      status: 200,
      json: { via: 'session', token: 'console admin' },
    });
    const narrow = await post('/admin', { cookie: 'pulse_session=s-ingest' });
    assert.equal(narrow.status, 403, 'a session has its token type, no more');
    assert.equal((await post('/ingest', { cookie: 'pulse_session=s-ingest' })).json.via, 'session');

    const unknown = await post('/admin', { cookie: 'pulse_session=s-forged' });
    assert.deepEqual(unknown, {
      status: 401,
      json: {
        error: 'unauthorized',
        message: 'This endpoint needs a token. Send a valid, unexpired token as "Authorization: Bearer <token>".',
      },
    });
  });

  it('checks an Authorization header as a bearer token even when a session cookie comes along', async () => {
    const post = await start([...shared(), { provide: SESSION_RESOLVER, useValue: store }]);
    assert.deepEqual(await post('/admin', { authorization: `Bearer ${admin.secret}` }), {
      status: 200,
      json: { via: 'bearer', token: 'console admin' },
    });
    const wrongBearer = await post('/admin', { authorization: 'Bearer sw_admin_nope', cookie: 'pulse_session=s-admin' });
    assert.equal(wrongBearer.status, 401, 'a bad token is refused, not rescued by the cookie');
  });

  it('ignores cookies while no session resolver is provided (today: bearer tokens only)', async () => {
    const post = await start(shared());
    assert.equal((await post('/admin', { cookie: 'pulse_session=s-admin' })).status, 401);
    assert.equal((await post('/admin', { authorization: `Bearer ${admin.secret}` })).json.via, 'bearer');
    assert.equal((await post('/ingest', { authorization: `Bearer ${ingest.secret}` })).json.via, 'bearer');
  });
});
