import { Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AuthUser } from '../common/http/access.js';
import { InvalidInputError } from '../common/errors/domain-errors.js';
import { errorMessage } from '../common/errors/error-like.js';
import { IdempotencyService, type IdempotencyRecord } from './idempotency.service.js';
import { requestFingerprint } from './request-fingerprint.js';

export const IDEMPOTENT_OPTIONS = 'idempotency:options';

export interface IdempotentOptions {
  /**
   * Top-level response fields that are returned once and never stored for replay (secrets such as a guest's order
   * token, which the database keeps only as a hash).
   */
  omitFromReplay?: string[];
  /**
   * The route's transaction stores the claimed key on the row it creates (`orders.idempotency_key_id`,
   * `refunds.idempotency_key_id`; the handler gets the key's id from @IdempotencyKeyId()). The foreign key fences the
   * key, which makes a stuck key safe to release: see IdempotencyService.
   */
  records?: IdempotencyRecord;
  /** The route refuses a request without the header (400) instead of running it unprotected (refunds). */
  required?: boolean;
}

/** Where the interceptor leaves the claimed key's id for @IdempotencyKeyId(). */
export const IDEMPOTENCY_KEY_ID = Symbol('idempotencyKeyId');

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** Keys belong to the caller: a signed-in user's keys never collide with another user's or a guest's. */
export function idempotencyScope(user: AuthUser | undefined): string {
  return user ? `user:${user.id}` : 'guest';
}

function omit(body: unknown, fields: string[] | undefined): unknown {
  if (!fields?.length || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => !fields.includes(k)));
}

/** Applied by @Idempotent(); see there for the contract. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const key = request.header(IDEMPOTENCY_HEADER);
    const options = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENT_OPTIONS, context.getHandler()) ?? {};
    if (key === undefined) {
      if (options.required)
        throw new InvalidInputError('Idempotency-Key header is required', [{ field: 'Idempotency-Key', errors: ['is required'] }]);
      return next.handle();
    }
    // A promise, not an operator chain: recording the outcome must finish even if the client disconnects meanwhile.
    return from(this.run(key, request, context.switchToHttp().getResponse<Response>(), next, options));
  }

  private async run(
    key: string,
    request: Request & { user?: AuthUser },
    response: Response,
    next: CallHandler,
    options: IdempotentOptions,
  ): Promise<unknown> {
    if (!KEY_FORMAT.test(key)) {
      throw new InvalidInputError('Invalid Idempotency-Key header', [
        { field: 'Idempotency-Key', errors: ['must be 1 to 255 printable ASCII characters without spaces'] },
      ]);
    }
    const hash = requestFingerprint(request.method, request.originalUrl, request.body);
    const start = await this.idempotency.begin(idempotencyScope(request.user), key, hash, {
      method: request.method,
      path: request.path,
      records: options.records,
    });
    if (start.kind === 'replay') {
      response.status(start.status);
      response.setHeader(REPLAYED_HEADER, 'true');
      return start.body;
    }
    (request as Request & { [IDEMPOTENCY_KEY_ID]?: string })[IDEMPOTENCY_KEY_ID] = start.recordId;
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await this.idempotency
        .release(start.recordId)
        .catch((e: unknown) => this.logger.error(`Could not release idempotency key: ${errorMessage(e)}`));
      throw error;
    }
    // The work is done; if storing its response fails the key stays "in progress" (409) rather than run twice.
    await this.idempotency
      .complete(start.recordId, response.statusCode, omit(body, options.omitFromReplay))
      .catch((e: unknown) => this.logger.error(`Could not store idempotent response: ${errorMessage(e)}`));
    return body;
  }
}
