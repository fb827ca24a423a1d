import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ValidationFailure } from '../runtime/validation-failure.js';

/**
 * A numeric id from the path (`/api/tokens/7`). Anything else is a 400 naming the parameter. Read from
 * the raw params so the message can quote what was sent.
 */
export const IdParam = createParamDecorator((name: string | undefined, context: ExecutionContext): number => {
  const param = name ?? 'id';
  const value = (context.switchToHttp().getRequest<FastifyRequest>().params as Record<string, string>)[param] ?? '';
  if (!/^[1-9]\d{0,15}$/.test(value)) throw ValidationFailure.field(param, `must be a positive whole number, not "${value.slice(0, 40)}"`);
  return Number(value);
});
