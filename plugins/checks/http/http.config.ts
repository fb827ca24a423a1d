import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, ValidateBy, type ValidationOptions } from 'class-validator';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A JSON object of header name → string value, names as RFC 9110 allows them. */
function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(([name, text]) => HEADER_NAME.test(name) && typeof text === 'string' && !/[\r\n]/.test(text)),
        defaultMessage: () => 'must be an object of header names to string values, e.g. {"Accept": "text/html"}',
      },
    },
    options,
  );
}

/** Options of the http check. Decorators run bottom-up and stop at the first failure: type checks sit last. */
export class HttpConfig {
  @IsIn(HTTP_METHODS, { message: `must be one of ${HTTP_METHODS.join(', ')}` })
  method: (typeof HTTP_METHODS)[number] = 'GET';

  @IsHeaderMap()
  headers: Record<string, string> = {};

  /** Request body, sent as is (set a Content-Type header to match). */
  @MaxLength(65536, { message: 'must be at most 65536 characters' })
  @IsString({ message: 'must be a string' })
  body = '';

  /** Status codes that count as up: single codes and ranges, e.g. ["200-299", "301"]. */
  @Matches(/^[1-5]\d\d(-[1-5]\d\d)?$/, { each: true, message: 'must be a list of status codes or ranges, e.g. ["200-299", "301"]' })
  @IsString({ each: true, message: 'must be a list of status codes or ranges, e.g. ["200-299", "301"]' })
  accepted_codes: string[] = ['200-399'];

  /** Text that must appear in the first 1 MiB of the body ("" = not checked). */
  @MaxLength(1000, { message: 'must be at most 1000 characters' })
  @IsString({ message: 'must be a string' })
  keyword = '';

  /** Text that must not appear in the first 1 MiB of the body ("" = not checked). */
  @MaxLength(1000, { message: 'must be at most 1000 characters' })
  @IsString({ message: 'must be a string' })
  keyword_absent = '';

  @IsBoolean({ message: 'must be true or false' })
  follow_redirects = true;

  @Max(10, { message: 'must be at most 10' })
  @Min(0, { message: 'must be at least 0' })
  @IsInt({ message: 'must be a whole number' })
  max_redirects = 10;

  /** Accept expired, self-signed or wrong-host certificates (the ssl check is the place to watch them). */
  @IsBoolean({ message: 'must be true or false' })
  ignore_tls_errors = false;

  /** Slower answers are a warning; 0 turns this off. */
  @Max(3_600_000, { message: 'must be at most 3600000 (one hour)' })
  @Min(0, { message: 'must be at least 0 (0 = no limit)' })
  @IsInt({ message: 'must be a whole number of milliseconds' })
  max_latency_ms = 0;
}
