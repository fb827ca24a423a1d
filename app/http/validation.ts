import { ValidationPipe } from '@nestjs/common';
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
