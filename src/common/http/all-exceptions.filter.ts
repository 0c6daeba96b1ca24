import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../errors/domain-errors.js';
import { errorLike, text } from '../errors/error-like.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

const DB_UNAVAILABLE = new RegExp(
  [
    'ECONNREFUSED',
    'ECONNRESET',
    'Connection terminated',
    'not queryable',
    'terminating connection',
    "Can't reach database",
    'timeout exceeded when trying to connect',
    'Unable to start a transaction',
    'P1001',
    'P1017',
    'P2024',
    'P2028',
    '57P01',
    '57P03',
    '08006',
    '08001',
    '08003',
  ].join('|'),
);

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .split('_')
        .map((w) => w[0].toUpperCase() + w.slice(1))
        .join(' ')
    : 'Error';
}

function describeUnknown(exception: unknown): { status: number; message: string; details?: unknown } | undefined {
  const e = errorLike(exception);
  const cause = errorLike(e?.cause);
  const said = `${text(e?.code)} ${text(e?.message)} ${text(cause?.message)} ${text(cause?.code)}`;
  if (e?.code === 'P2002')
    return {
      status: 409,
      message: 'A record with these unique fields already exists',
      details: e.meta?.target ? { fields: e.meta.target } : undefined,
    };
  if (e?.code === 'P2025') return { status: 404, message: 'Record not found' };
  if (e?.type === 'entity.too.large') return { status: 413, message: 'Request body is too large' };
  if (e?.type === 'entity.parse.failed') return { status: 400, message: 'Request body is not valid JSON' };
  // PostgreSQL text cannot hold NUL (22021) or characters outside the database encoding (22P05): bad input, not a crash.
  if (/\b(22021|22P05)\b/.test(said)) return { status: 400, message: 'Text may not contain NUL characters' };
  if (DB_UNAVAILABLE.test(said)) return { status: 503, message: 'The database is unavailable; please retry shortly' };
  return undefined;
}

/** Every error leaves the API in one shape: { statusCode, error, message, details? }. No stacks, no internals. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (body.statusCode === 503 && !response.getHeader('Retry-After')) response.setHeader('Retry-After', '1');
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      return {
        statusCode: exception.status,
        error: reasonPhrase(exception.status),
        message: exception.message,
        ...(exception.details !== undefined && { details: exception.details }),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      const body = typeof res === 'string' ? undefined : (res as { message?: unknown; details?: unknown });
      const message = !body
        ? (res as string)
        : Array.isArray(body.message)
          ? body.message.join('; ')
          : typeof body.message === 'string'
            ? body.message
            : exception.message;
      const details = body?.details;
      return { statusCode: status, error: reasonPhrase(status), message, ...(details !== undefined && { details }) };
    }
    const known = describeUnknown(exception);
    if (known)
      return {
        statusCode: known.status,
        error: reasonPhrase(known.status),
        message: known.message,
        ...(known.details !== undefined && { details: known.details }),
      };
    return { statusCode: 500, error: 'Internal Server Error', message: 'Something went wrong on our side' };
  }
}
