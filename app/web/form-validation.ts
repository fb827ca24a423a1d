import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { fieldErrorsOf, type FieldErrors, type ValidationFailure } from '../runtime/validation-failure.js';
import { CSRF_FIELD } from './csrf.js';

export type FormOutcome<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/**
 * Validates decoded form input against an API DTO class and returns one message per field, for showing
 * next to that field. Unknown fields are dropped (a form posts its own extras, like the CSRF token).
 */
export async function validateForm<T extends object>(dto: new () => T, input: Record<string, unknown>): Promise<FormOutcome<T>> {
  const { [CSRF_FIELD]: _csrf, ...fields } = input;
  const value = plainToInstance(dto, fields, { enableImplicitConversion: false });
  const failures = await validate(value, { whitelist: true, stopAtFirstError: true, forbidUnknownValues: true });
  if (failures.length === 0) return { ok: true, value };
  const errors: FieldErrors = {};
  for (const { field, message } of fieldErrorsOf(failures, 'unknown field')) {
    if (field in errors) continue;
    errors[field] = (fields as Record<string, unknown>)[field] === '' ? 'This field is required.' : sentence(message);
  }
  return { ok: false, errors };
}

/** A service's ValidationFailure as messages to show under each field. */
export function formErrorsOf(failure: ValidationFailure): FieldErrors {
  return Object.fromEntries(Object.entries(failure.fields).map(([field, message]) => [field, sentence(message)]));
}

/** A form's text field, trimmed ('' when blank, undefined when absent). Repeated fields take the last value. */
export function formText(value: unknown): string | undefined {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last.trim() : undefined;
}

/** A form's whole-number field: a number when it is one, the text otherwise (so validation can name it). */
export function formInteger(value: unknown): number | string | undefined {
  const text = formText(value);
  if (text === undefined || text === '') return undefined;
  return /^-?\d{1,15}$/.test(text) ? Number(text) : text;
}

/** `must be at most 3650` → `Must be at most 3650.`: a message shown on its own under a field. */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
