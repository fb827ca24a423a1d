import { HttpException } from '@nestjs/common';
import type { FieldErrors } from '../runtime/validation-failure.js';

/**
 * Body of every API error: a stable code for programs and a sentence for people saying what to do. A
 * refused input (`validation_failed`) adds `fields`: each field named in the message with its problem.
 */
export interface ApiErrorBody {
  error: string;
  message: string;
  fields?: FieldErrors;
}

export class ApiError extends HttpException {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super({ error: code, message } satisfies ApiErrorBody, status);
  }

  static badRequest(message: string, code = 'bad_request'): ApiError {
    return new ApiError(400, code, message);
  }
  static notFound(message: string): ApiError {
    return new ApiError(404, 'not_found', message);
  }
  static conflict(message: string): ApiError {
    return new ApiError(409, 'conflict', message);
  }
  /** A write the database did not take (full disk, I/O error, read-only, unreachable): never a 2xx, never a 500. */
  static storageUnavailable(reason: string): ApiError {
    return new ApiError(
      503,
      'storage_unavailable',
      `Pulse could not store this change: ${reason}. Try again once that is fixed; GET /readyz says when it is.`,
      { 'retry-after': '10' },
    );
  }
}

/** Default codes for statuses raised without one (framework errors, plain HttpExceptions). */
export const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  431: 'headers_too_large',
  500: 'internal_error',
  503: 'unavailable',
};
