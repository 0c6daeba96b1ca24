import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

/** Provider-style random ids: `pi_3Q1a2b...`, `order_N5x...`. */
export const providerId = (prefix: string, length = 14) =>
  `${prefix}_${randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length)}`;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A request the simulator understood, as the route handlers see it. */
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed body: JSON, or form-encoded with Stripe's bracket notation (metadata[orderId]=...). */
  body: Record<string, unknown>;
  rawBody: string;
}

export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`simulated provider error ${status}`);
  }
}

/** `a[b][c]=1` → `{ a: { b: { c: '1' } } }` (what stripe-node sends). */
export function parseForm(raw: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const path = key.replace(/\]/g, '').split('[');
    let node = result;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return result;
}

export async function readRequest(req: IncomingMessage): Promise<SimRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://simulator');
  const type = req.headers['content-type'] ?? '';
  let body: Record<string, unknown> = {};
  if (rawBody && type.includes('json')) body = JSON.parse(rawBody) as Record<string, unknown>;
  else if (rawBody) body = parseForm(rawBody);
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, rawBody };
}

export function send(res: ServerResponse, response: SimResponse): void {
  const text = JSON.stringify(response.body);
  res.writeHead(response.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...response.headers });
  res.end(text);
}

/** Matches `/v1/payment_intents/:id/cancel` against a path; returns the params or undefined. */
export function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

export interface Route {
  method: string;
  pattern: string;
  handle(req: SimRequest, params: Record<string, string>): SimResponse | Promise<SimResponse>;
}

/** Stored answers per idempotency key; the same key with different parameters is refused like the providers do. */
export class IdempotencyCache {
  private readonly entries = new Map<string, { fingerprint: string; response: SimResponse }>();

  run(key: string | undefined, fingerprint: string, execute: () => SimResponse, conflict: () => SimResponse): SimResponse {
    if (!key) return execute();
    const stored = this.entries.get(key);
    if (stored)
      return stored.fingerprint === fingerprint
        ? { ...stored.response, headers: { ...stored.response.headers, 'Idempotent-Replayed': 'true' } }
        : conflict();
    let response: SimResponse;
    try {
      response = execute();
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      response = { status: error.status, body: error.body };
    }
    if (response.status < 500) this.entries.set(key, { fingerprint, response });
    return response;
  }
}
