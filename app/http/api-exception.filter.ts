import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeStorageFailure, storageFailureOf } from '../database/storage-failure.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { ApiError, STATUS_CODES, type ApiErrorBody } from './api-error.js';

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * Every error leaves as {"error","message"} with the right status; refused input adds "fields". Stack traces go to the log, never to
 * the client; framework errors (bad JSON, body too large, unknown route) get sentences a user can act on.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { status, body, headers } = this.describe(exception, request);
    if (status === 503 && body.error === 'storage_unavailable')
      this.logger.warn(`${request.method} ${request.url.split('?')[0]} refused: ${body.message}`);
    else if (status >= 500) this.logger.error(`${request.method} ${request.url.split('?')[0]} failed`, (exception as Error)?.stack);
    void reply
      .status(status)
      .headers({ ...headers, 'cache-control': 'no-store' })
      .send(body);
  }

  describe(exception: unknown, request: FastifyRequest): { status: number; body: ApiErrorBody; headers: Record<string, string> } {
    if (exception instanceof ValidationFailure) {
      const fields = Object.keys(exception.fields).length > 0 ? { fields: exception.fields } : {};
      return { status: 400, body: { error: 'validation_failed', message: exception.message, ...fields }, headers: {} };
    }
    if (exception instanceof ApiError) {
      return { status: exception.getStatus(), body: exception.getResponse() as ApiErrorBody, headers: exception.headers };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Nest wraps Fastify's own 4xx errors (bad JSON, body too large) and keeps the original as cause.
      const cause = exception.cause as FrameworkError | undefined;
      if (typeof cause?.code === 'string' && cause.code.startsWith('FST_'))
        return { status, body: describeFrameworkError(cause), headers: {} };
      if (status === 404) return { status, body: notFound(request), headers: {} };
      const response = exception.getResponse() as { message?: unknown } | string;
      const detail = typeof response === 'string' ? response : response.message;
      const message = Array.isArray(detail) ? detail.join('; ') : typeof detail === 'string' ? detail : exception.message;
      return { status, body: { error: STATUS_CODES[status] ?? 'error', message }, headers: {} };
    }
    const storage = storageFailureOf(exception);
    if (storage) return this.describe(ApiError.storageUnavailable(describeStorageFailure(storage.kind)), request);
    const framework = exception as FrameworkError;
    if (typeof framework?.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
      return { status: framework.statusCode, body: describeFrameworkError(framework), headers: {} };
    }
    return {
      status: 500,
      body: { error: 'internal_error', message: 'Something went wrong inside Pulse; the server log has the details.' },
      headers: {},
    };
  }
}

function notFound(request: FastifyRequest): ApiErrorBody {
  return { error: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}. See the API overview in the README.` };
}

/** Fastify's own errors (body parser, router) as sentences a user can act on. */
export function describeFrameworkError(error: FrameworkError): ApiErrorBody {
  switch (error.code) {
    case 'PULSE_JSON_TOO_DEEP':
      return { error: 'invalid_json', message: `${error.message} Send a flatter JSON object.` };
    case 'FST_ERR_BAD_URL':
      return { error: 'bad_request', message: 'The URL is not valid: a "%" must start a percent-encoded byte like %2F.' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { error: 'uri_too_long', message: 'A part of the URL path is longer than 1024 characters.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { error: 'invalid_json', message: `The request body is not valid JSON (${error.message}). Send a JSON object.` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: 'payload_too_large', message: 'The request body is larger than [http] max_body_bytes allows.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { error: 'unsupported_media_type', message: `${error.message}. Send application/json.` };
    default:
      if (error.statusCode === 400 && error.message?.includes('JSON')) {
        return { error: 'invalid_json', message: `The request body is not valid JSON (${error.message}). Send a JSON object.` };
      }
      return { error: STATUS_CODES[error.statusCode!] ?? 'bad_request', message: error.message ?? 'Bad request.' };
  }
}
