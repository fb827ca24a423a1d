import { ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { ValidateIf, type ValidationError } from 'class-validator';
import { fieldErrorsOf, ValidationFailure } from '../runtime/validation-failure.js';

/**
 * DTO validation for every route: unknown fields refused (a typo is an error, not a silent no-op),
 * no implicit type conversion (a string where a number belongs is an error). A refusal names each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe(PIPE_OPTIONS);
}

const PIPE_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  stopAtFirstError: true,
  forbidUnknownValues: true,
  transform: true,
  validateCustomDecorators: true, // @JsonBody() bodies are DTOs too
  transformOptions: { enableImplicitConversion: false },
  exceptionFactory: (errors: ValidationError[]) => new ValidationFailure(fieldErrorsOf(errors, 'unknown field')),
};

/**
 * The query of a Lovebeat route (`GET /api/services`): its own parameters checked like any other, others
 * ignored as Lovebeat ignored them (a client's cache-buster `?_=…` must keep working). Use it as
 * `@Query(lovebeatQuery(Dto)) query: Dto` with the parameter typed as a plain object for the global pipe.
 */
export function lovebeatQuery(dto: new () => object): ValidationPipe {
  return new ValidationPipe({ ...PIPE_OPTIONS, forbidNonWhitelisted: false, expectedType: dto });
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
