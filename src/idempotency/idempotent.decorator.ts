import { applyDecorators, createParamDecorator, SetMetadata, UseInterceptors, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { IDEMPOTENCY_KEY_ID, IDEMPOTENT_OPTIONS, IdempotencyInterceptor, type IdempotentOptions } from './idempotency.interceptor.js';

/**
 * Makes a POST route honour the `Idempotency-Key` header: the first request with a key runs; a repeat with the same
 * method, path and body (from the same caller) gets the stored status and body back without running again
 * (`Idempotent-Replayed: true`); a different request under the same key gets 422; a repeat while the first is still
 * running waits briefly, then gets 409. Keys are kept 24 hours. Without the header the route behaves normally, or
 * answers 400 when the key is `required`.
 */
export const Idempotent = (options: IdempotentOptions = {}) =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_OPTIONS, options),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: options.required ?? false,
      description:
        'Client-chosen unique key (1-255 printable ASCII characters, e.g. a UUID). Retrying with the same key and body replays the first response; ' +
        'a different body under the same key is refused with 422; a retry while the first request is still running may get 409. Kept 24 hours.',
    }),
    ApiUnprocessableEntityResponse({ type: ErrorResponse, description: 'Idempotency-Key already used for a different request' }),
  );

/** The id of the Idempotency-Key this request claimed (undefined without the header): for routes with `records`. */
export const IdempotencyKeyId = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | undefined =>
    ctx.switchToHttp().getRequest<{ [IDEMPOTENCY_KEY_ID]?: string }>()[IDEMPOTENCY_KEY_ID],
);
