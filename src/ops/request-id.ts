import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { RequestContext } from '../common/context/request-context.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

/**
 * The request's id: the caller's X-Request-Id when it looks like an id (so a trace spans the load balancer and
 * upstream services), otherwise a new UUID. Idempotent: the first call fixes the id on the request and echoes it in
 * the response header, later calls (the logger's genReqId) return the same value.
 */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
  req.id = id;
  if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** First middleware of the app: fixes the request id and opens the request context audit entries read it from. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const requestId = requestIdOf(req, res);
  RequestContext.run({ requestId }, next);
}
