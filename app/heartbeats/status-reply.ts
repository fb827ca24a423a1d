import type { FastifyReply, FastifyRequest } from 'fastify';
import { statusText, statusView, type StatusCounts } from './heartbeat.views.js';

/** Lovebeat's status answer: four text lines by default, JSON when the Accept header asks for it. */
export function sendStatus(request: FastifyRequest, reply: FastifyReply, counts: StatusCounts): FastifyReply {
  reply.header('cache-control', 'no-store').header('vary', 'accept');
  if ((request.headers.accept ?? '').includes('application/json')) return reply.send(statusView(counts));
  return reply.type('text/plain; charset=utf-8').send(statusText(counts));
}
