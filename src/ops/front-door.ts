import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { AllExceptionsFilter } from '../common/http/all-exceptions.filter.js';
import { labelRoute } from './http-route.js';

/**
 * A check that may answer a request from memory before Express sees it: the error to answer with, or undefined to let
 * the request through (with its body already parsed) to the full pipeline, which decides as it always does.
 */
export type EarlyCheck = (body: unknown, req: IncomingMessage) => Error | undefined;

export interface FrontDoorRoute {
  method: 'POST';
  path: string;
  /** Whether the check could refuse anything now: when not, requests go straight to Express, their bodies unread. */
  active: () => boolean;
  check: EarlyCheck;
}

/** The most a body read here may be: a checkout is a few hundred bytes; anything larger goes the usual way. */
const MAX_EARLY_BODY = 16_384;
/** What Express's JSON parser accepts (UTF-8 only): any other charset, or an encoded body, goes the usual way. */
const JSON_UTF8 = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;
/** body-parser's strict mode: only an object or an array is a JSON body. */
const STRICT_JSON = /^[ \t\n\r]*[[{]/;

/** BODY_LIMIT ("100kb", "1mb", "512") in bytes. */
export function bodyLimitBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)?$/i.exec(limit);
  if (!match) return 0;
  const unit = (match[2] || 'b').toLowerCase() as 'b' | 'kb' | 'mb';
  return Number(match[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit];
}

/**
 * Answers some requests before Express: a drop's crowd is thousands of requests a second whose answer ("sold out",
 * "not open yet") is known from memory, and the full pipeline (router, body parser, Nest, res.json) costs several
 * times what the answer does. For a listed route with a small UTF-8 JSON body, this reads the body and, if it is a
 * JSON object or array, runs the route's check on it. An answer goes through `edge` first, the app's own edge
 * middlewares (request id, logging, metrics, security headers, shutdown tracking), so it is logged and counted like any
 * other; anything else goes on to Express with its body intact (a malformed one gets the parser's own 400 there).
 * Requests it cannot judge alike (a CORS request where CORS is configured, an encoded or larger body, other routes) go
 * straight to Express. Not in platform mode: the brand of a request is resolved by Express middleware there.
 */
export function installFrontDoor(
  app: INestApplication,
  edge: RequestHandler,
  routes: FrontDoorRoute[],
  options: { bodyLimit: string; cors: boolean },
): void {
  const server = app.getHttpServer() as Server;
  const express = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  if (express.length !== 1) throw new Error(`The front door expects one request listener on the server, found ${express.length}`);
  const [next] = express;
  const maxBody = Math.min(MAX_EARLY_BODY, bodyLimitBytes(options.bodyLimit));
  const errors = new AllExceptionsFilter();

  const answer = (req: IncomingMessage, res: ServerResponse, route: FrontDoorRoute, error: Error) => {
    labelRoute(req, route.method, route.path);
    const body = errors.toBody(error);
    const retry = (body.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    (edge as unknown as (req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void) => void)(req, res, () => {
      const text = JSON.stringify(body);
      res.statusCode = body.statusCode;
      if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(text));
      res.end(text);
    });
  };

  /** The route's refusal of this body, if any; a body that is not strict JSON is left to Express's parser (and its 400). */
  const refusalOf = (route: FrontDoorRoute, raw: Buffer, req: IncomingMessage): Error | undefined => {
    const text = raw.toString('utf8');
    if (!STRICT_JSON.test(text)) return undefined;
    try {
      return route.check(JSON.parse(text), req);
    } catch {
      // Not JSON, or a check that cannot decide: the full pipeline decides it as it always does.
      return undefined;
    }
  };

  const routeOf = (req: IncomingMessage): FrontDoorRoute | undefined => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    return routes.find((r) => r.method === req.method && r.path === path);
  };

  server.removeListener('request', next);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const route = routeOf(req);
    const length = Number(req.headers['content-length']);
    if (
      !route?.active() ||
      !(length > 0 && length <= maxBody) ||
      req.headers['transfer-encoding'] !== undefined ||
      (req.headers['content-encoding'] ?? 'identity') !== 'identity' ||
      !JSON_UTF8.test(req.headers['content-type'] ?? '') ||
      (options.cors && req.headers.origin !== undefined)
    ) {
      next(req, res);
      return;
    }
    // Read (paused mode) until the body is complete, Content-Length bytes, and judge it before the stream ends. What
    // goes on to Express is pushed back into the stream (unshift): with the 'readable' listener gone the stream flows
    // again for the next reader, so Express's body parser reads and judges the same bytes itself, errors included.
    const chunks: Buffer[] = [];
    let received = 0;
    const onReadable = () => {
      for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) {
        chunks.push(chunk);
        received += chunk.length;
      }
      if (received < length) return;
      req.off('readable', onReadable);
      const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const refusal = refusalOf(route, raw, req);
      if (refusal) {
        req.resume();
        // Answered after this turn's I/O callbacks: a checkout's database reply waiting in the same turn is taken up
        // (and its next statement sent) first, so the crowd's refusals run while the database works, not before it.
        setImmediate(answer, req, res, route, refusal);
        return;
      }
      req.unshift(raw);
      next(req, res);
    };
    req.on('readable', onReadable);
  });
}
