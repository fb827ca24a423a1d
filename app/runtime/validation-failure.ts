import type { ValidationError } from 'class-validator';

/** One problem with input. `field` is dotted for nested values (`options.keyword`); '' means the input as a whole. */
export interface FieldError {
  field: string;
  message: string;
}

/** Field → what is wrong with it, as the API's `fields` member and the console's per-field messages show it. */
export type FieldErrors = Record<string, string>;

/**
 * Input that was refused, field by field. Services throw it; the API answers 400 `validation_failed` with
 * `message` (every problem in one sentence, "field: problem; …") and `fields`, and the console shows each
 * message next to its field. A problem about the input as a whole (no field) is only in `message`.
 */
export class ValidationFailure extends Error {
  override name = 'ValidationFailure';
  readonly errors: readonly FieldError[];
  readonly fields: FieldErrors;

  constructor(errors: readonly FieldError[]) {
    super(errors.map((error) => (error.field ? `${error.field}: ${error.message}` : error.message)).join('; '));
    this.errors = errors;
    const fields: FieldErrors = {};
    for (const { field, message } of errors) {
      if (field) fields[field] = field in fields ? `${fields[field]}; ${message}` : message;
    }
    this.fields = fields;
  }

  static field(field: string, message: string): ValidationFailure {
    return new ValidationFailure([{ field, message }]);
  }

  /** A problem with the input as a whole, e.g. two fields that exclude each other. */
  static input(message: string): ValidationFailure {
    return new ValidationFailure([{ field: '', message }]);
  }
}

/** Collects problems one check at a time and throws them all together, so a form shows every bad field at once. */
export class FieldErrorList {
  private readonly errors: FieldError[] = [];

  add(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  /** `errors` with their fields put under `prefix` (`settings` + `url` → `settings.url`). */
  addAll(errors: readonly FieldError[], prefix = ''): void {
    for (const error of errors) this.add([prefix, error.field].filter(Boolean).join('.'), error.message);
  }

  get empty(): boolean {
    return this.errors.length === 0;
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new ValidationFailure(this.errors);
  }
}

/**
 * class-validator's errors as field errors, nested properties dotted. The constraint messages start with
 * the property name when a decorator has no message of its own; that name is dropped, the field says it.
 */
export function fieldErrorsOf(errors: readonly ValidationError[], unknownKeyMessage: string, prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([name, message]) => ({
      field,
      message: name === 'whitelistValidation' ? unknownKeyMessage : withoutLeadingName(message, error.property),
    }));
    return [...own, ...fieldErrorsOf(error.children ?? [], unknownKeyMessage, field)];
  });
}

function withoutLeadingName(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
