import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { ErrorResponse } from '../common/http/error-response.dto.js';

/**
 * OpenAPI for a server-sent-event endpoint: a text/event-stream answer whose events are described in `events`, and
 * the 503 of an instance at its connection cap (or shutting down).
 */
export const ApiEventStream = (events: string) =>
  applyDecorators(
    ApiProduces('text/event-stream'),
    ApiOkResponse({
      description:
        `Server-sent events (text/event-stream), kept open with a comment line every LIVE_HEARTBEAT_SECONDS. ${events} ` +
        'The server may end the stream with a `bye` event ({reason: shutdown | token-expired | slow-consumer}); reconnect (with a ' +
        'fresh token for token-expired).',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    }),
    ApiServiceUnavailableResponse({
      type: ErrorResponse,
      description: 'This instance holds LIVE_MAX_CONNECTIONS streams or is shutting down; retry after Retry-After seconds',
    }),
  );
