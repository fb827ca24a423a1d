import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ValidationFailure } from '../runtime/validation-failure.js';

/** The largest id a row can have: ids are 32-bit integers in PostgreSQL (SERIAL), so also in SQLite. */
export const MAX_ID = 2_147_483_647;

/**
 * A numeric id from the path (`/api/tokens/7`). Anything else is a 400 naming the parameter. Read from
 * the raw params so the message can quote what was sent.
 */
export const IdParam = createParamDecorator((name: string | undefined, context: ExecutionContext): number => {
  const param = name ?? 'id';
  const value = (context.switchToHttp().getRequest<FastifyRequest>().params as Record<string, string>)[param] ?? '';
  if (!/^[1-9]\d*$/.test(value)) throw ValidationFailure.field(param, `must be a positive whole number, not "${value.slice(0, 40)}"`);
  if (value.length > 10 || Number(value) > MAX_ID)
    throw ValidationFailure.field(param, `must be at most ${MAX_ID}, not "${value.slice(0, 40)}"`);
  return Number(value);
});
