import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export interface FieldError {
  /** Dotted path inside the config: `headers.Accept`, `accepted_codes`. */
  field: string;
  message: string;
}

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
  return { ok: false, errors: flatten(errors, '') };
}

function flatten(errors: ValidationError[], prefix: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([name, message]) => ({
      field,
      message:
        name === 'whitelistValidation' ? 'unknown option' : message.replace(new RegExp(`^${escapeRegExp(String(error.property))} `), ''),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
