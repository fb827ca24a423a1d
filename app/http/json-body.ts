import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';

/**
 * The request body, which must be a JSON object; the validation pipe then checks its fields. A missing
 * body, an array or a bare value is a 400 that says what to send.
 */
export const JsonBody = createParamDecorator((example: string | undefined, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.badRequest(
      `Send a JSON object${example ? ` like ${example}` : ''} with Content-Type: application/json.`,
      'invalid_body',
    );
  }
  return body;
});
