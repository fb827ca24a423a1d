import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { ApiError } from './api-error.js';

/** "field: problem" for each failed constraint, nested fields dotted. */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    // class-validator starts some messages with the property's name; it is said once, in front.
    const own = Object.entries(error.constraints ?? {}).map(([name, message]) =>
      name === 'whitelistValidation'
        ? `${field}: unknown field`
        : `${field}: ${message.startsWith(`${error.property} `) ? message.slice(error.property.length + 1) : message}`,
    );
    return [...own, ...describeValidationErrors(error.children ?? [], field)];
  });
}

/**
 * DTO validation for every route: unknown fields refused (a typo is an error, not a silent no-op),
 * no implicit type conversion (a string where a number belongs is an error).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
    forbidUnknownValues: true,
    transform: true,
    validateCustomDecorators: true, // @JsonBody() bodies are DTOs too
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => ApiError.validation(describeValidationErrors(errors).join('; ')),
  });
}

/**
 * A field that may be left out. Unlike class-validator's IsOptional, null does not count as left out:
 * it is checked like any other value (so the type check refuses it), because services tell "absent"
 * from "given" by `=== undefined`. A field where null means something (a monitor's `quorum`: none)
 * uses IsOptional and says so.
 */
export function Optional(): PropertyDecorator {
  return ValidateIf((_object, value: unknown) => value !== undefined);
}
