import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiExceptionFilter } from '../http/api-exception.filter.js';
import type { AccessRule } from '../tokens/access.decorator.js';
import { RequestAuthenticator } from '../tokens/request-auth.js';
import { HeartbeatsService } from './heartbeats.service.js';

/** Beats need no token unless [heartbeat] require_token; then an ingest token (or admin). */
const BEAT_ACCESS: AccessRule = { tokens: ['ingest'], publicWhen: (config) => !config.heartbeat.require_token };

type BeatAction = (name: string, request: FastifyRequest) => Promise<void>;

/**
 * POST /api/services/<name>, /start and /fail — the hot path of HTTP ingest — registered on Fastify
 * directly. Nest's per-request machinery (guards by reflection, pipes, interceptors) roughly halved
 * the beats per second; these routes keep the same access rule (through RequestAuthenticator) and
 * the same error bodies (through ApiExceptionFilter.describe), and answer Lovebeat's `200 {}`.
 */
@Injectable()
export class BeatRoutes implements OnModuleInit {
  private readonly errors = new ApiExceptionFilter();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly heartbeats: HeartbeatsService,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return; // an application context without HTTP
    fastify.post(
      '/api/services/:name',
      this.route((name, request) => this.heartbeats.beat(name, request.query as Record<string, unknown>, request.body)),
    );
    fastify.post(
      '/api/services/:name/start',
      this.route((name) => this.heartbeats.start(name)),
    );
    fastify.post(
      '/api/services/:name/fail',
      this.route((name) => this.heartbeats.fail(name)),
    );
  }

  private route(action: BeatAction) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        await this.authenticator.authorize(BEAT_ACCESS, request);
        await action((request.params as { name: string }).name, request);
        return reply.type('application/json; charset=utf-8').send('{}');
      } catch (error) {
        const { status, body, headers } = this.errors.describe(error, request);
        return reply
          .status(status)
          .headers({ ...headers, 'cache-control': 'no-store' })
          .send(body);
      }
    };
  }
}
