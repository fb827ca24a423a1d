import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';

/**
 * A numeric id from the path (`/api/tokens/7`). Anything else is a 400 naming the parameter. Read from
 * the raw params so the message can quote what was sent.
 */
export const IdParam = createParamDecorator((name: string | undefined, context: ExecutionContext): number => {
  const param = name ?? 'id';
  const value = (context.switchToHttp().getRequest<FastifyRequest>().params as Record<string, string>)[param] ?? '';
  // Beyond 2^53 a number no longer holds every whole number: 9999999999999999 would become 1e16.
  if (!/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw ApiError.validation(`${param}: must be a positive whole number, not "${value.slice(0, 40)}"`);
  return Number(value);
});
