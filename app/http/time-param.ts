import { ValidateBy, type ValidationOptions } from 'class-validator';

/** The latest time a JavaScript Date can hold (epoch ms). */
const MAX_EPOCH_MS = 8.64e15;
const ISO = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|[+-](\d\d):?(\d\d))?)?$/;

/**
 * A time in a query parameter (`?since=`, `?until=`): ISO 8601 ("2026-11-22", "2026-11-22T12:00:00Z")
 * or epoch milliseconds, as epoch ms; null when it is not a time that exists (month 13, 31 February,
 * 25 o'clock, beyond what a Date can hold).
 */
export function parseTimeParam(text: string): number | null {
  if (/^\d{1,16}$/.test(text)) {
    const ms = Number(text);
    return ms <= MAX_EPOCH_MS ? ms : null;
  }
  const parts = ISO.exec(text);
  if (!parts) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = parts
    .slice(1, 7)
    .map((part) => (part === undefined ? undefined : Number(part)));
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(year!, month!)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (parts[8] !== undefined && (Number(parts[8]) > 23 || Number(parts[9]) > 59)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** An optional time parameter already validated by @IsTimeParam, as epoch ms; undefined when absent. */
export function optionalTimeParam(text: string | undefined): number | undefined {
  return text === undefined ? undefined : (parseTimeParam(text) ?? undefined);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export const TIME_PARAM_MESSAGE = 'must be an ISO 8601 time (2026-11-22T12:00:00Z) or epoch milliseconds';

/** Validates a query parameter with parseTimeParam, so a date that does not exist is a 400 naming it. */
export function IsTimeParam(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeParam',
      validator: { validate: (value: unknown) => typeof value === 'string' && parseTimeParam(value) !== null },
    },
    { message: TIME_PARAM_MESSAGE, ...options },
  );
}
