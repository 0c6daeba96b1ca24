import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The shape of every error response (see AllExceptionsFilter). */
export class ErrorResponse {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'Validation failed: email' }) message!: string;
  @ApiPropertyOptional({
    description: 'Field errors ([{ field, errors }]) or domain detail',
    example: [{ field: 'email', errors: ['email must be an email'] }],
  })
  details?: unknown;
}
