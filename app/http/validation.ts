import { ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { fieldErrorsOf, ValidationFailure } from '../runtime/validation-failure.js';

/**
 * DTO validation for every route: unknown fields refused (a typo is an error, not a silent no-op),
 * no implicit type conversion (a string where a number belongs is an error). A refusal names each field.
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
    exceptionFactory: (errors) => new ValidationFailure(fieldErrorsOf(errors, 'unknown field')),
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
