import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { InvalidInputError, type FieldError } from '../errors/domain-errors.js';

/** Flattens class-validator's tree into one entry per failing field, with dotted paths (items.0.quantity). */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own: FieldError[] = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** The one validation pipe: strips nothing silently (unknown fields are errors) and reports every field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new InvalidInputError(`Validation failed: ${details.map((d) => d.field).join(', ')}`, details);
    },
  });
}

/** Optional, but when present it may not be null (for PATCH fields that have no "cleared" state, like a name). */
export const IsOptionalNonNull = () => ValidateIf((_object, value) => value !== undefined);
