import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { FieldError } from '../errors/domain-errors.js';

/** One invalid field of a request body, query or header, with what is wrong with it. */
export class FieldErrorResponse implements FieldError {
  @ApiProperty({ example: 'email', description: 'Path of the field (items[0].quantity) or the header name' }) field!: string;
  @ApiProperty({ type: [String], example: ['email must be an email'] }) errors!: string[];
}

/** The shape of every error response (see AllExceptionsFilter). */
export class ErrorResponse {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'Validation failed: email' }) message!: string;
  @ApiPropertyOptional({
    description:
      'Invalid input (400): the field errors. Other errors: an object of domain detail, e.g. ' +
      '{ lines: [{ variantId, sku, requested, available }] } for missing stock, { currentStatus, event } for a refused transition.',
    oneOf: [
      { type: 'array', items: { $ref: getSchemaPath(FieldErrorResponse) } },
      { type: 'object', additionalProperties: true },
    ],
    example: [{ field: 'email', errors: ['email must be an email'] }],
  })
  details?: FieldErrorResponse[] | Record<string, unknown>;
}
