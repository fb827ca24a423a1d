import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fieldErrorsOf, type FieldError } from '../runtime/validation-failure.js';

/** `field` is the dotted path inside the config: `headers.Accept`, `accepted_codes`; '' for the config as a whole. */
export type { FieldError };

export type ConfigValidation<C> = { ok: true; value: C } | { ok: false; errors: FieldError[] };

/**
 * Validates a plugin's raw JSON config against its config class. Missing keys take the class defaults;
 * unknown keys are refused by name, so a typo never silently does nothing.
 */
export function validatePluginConfig<C extends object>(configClass: new () => C, raw: unknown): ConfigValidation<C> {
  const input = raw === undefined || raw === null ? {} : raw;
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '', message: 'must be a JSON object' }] };
  }
  const value = plainToInstance(configClass, input, { exposeDefaultValues: true }) as C;
  // forbidUnknownValues stays off so a plugin without options (an empty class) validates `{}`; whitelisting
  // still refuses every key the class does not declare. Decorators run bottom-up: put the type check last.
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length === 0) return { ok: true, value };
  return { ok: false, errors: fieldErrorsOf(errors, 'unknown option') };
}
