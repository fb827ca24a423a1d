import { ApiError } from '../http/api-error.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import { isServiceName, minIntervalFromSeconds, SERVICE_NAME_RULE, timeoutFromSeconds } from './heartbeat-values.js';
import type { ServiceUpdate } from './heartbeat-commands.js';

const FIELDS = new Set(['timeout', 'min_interval', 'beat']);

export function checkServiceName(name: string): string {
  if (!isServiceName(name)) throw ValidationFailure.field('name', `${SERVICE_NAME_RULE}, not "${name.slice(0, 60)}"`);
  return name;
}

/**
 * What `POST /api/services/<name>` asks for, from `?timeout=`, a form field or a JSON body (which wins
 * when both are given). Every value is checked before anything happens, so a bad one means no beat.
 */
export function readServiceUpdate(query: Record<string, unknown>, body: unknown): ServiceUpdate {
  const fields: Record<string, unknown> = {};
  for (const key of FIELDS) if (query[key] !== undefined) fields[key] = query[key];
  if (body !== undefined && body !== null && body !== '') {
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw ApiError.badRequest('Send a JSON object like {"timeout": 3600}, a form field timeout=3600, or no body.', 'invalid_body');
    }
    for (const [key, value] of Object.entries(body)) {
      if (!FIELDS.has(key)) throw ValidationFailure.field(key, 'unknown field (use timeout, min_interval or beat)');
      fields[key] = value;
    }
  }
  const update: ServiceUpdate = { beat: readBeat(fields.beat) };
  if (fields.timeout !== undefined) update.timeoutMs = checked('timeout', fields.timeout, timeoutFromSeconds);
  if (fields.min_interval !== undefined) update.minIntervalMs = checked('min_interval', fields.min_interval, minIntervalFromSeconds);
  return update;
}

function checked(field: string, value: unknown, check: typeof timeoutFromSeconds): number {
  const single = Array.isArray(value) ? undefined : value;
  const result = typeof single === 'number' || typeof single === 'string' ? check(single) : null;
  if (result?.ok) return result.ms;
  const reason = result && !result.ok ? result.reason.replace(/^\S+ /, '') : 'must be a number of seconds or "auto"';
  throw ValidationFailure.field(field, reason);
}

function readBeat(value: unknown): boolean {
  if (value === undefined || value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw ValidationFailure.field('beat', `must be true or false, not ${JSON.stringify(value)?.slice(0, 40)}`);
}
