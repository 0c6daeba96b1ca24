import net from 'node:net';
import type pg from 'pg';
import { percentile } from '../../bench/lib/measurement.js';

export interface DropStormOptions {
  baseUrl: string;
  adminToken: string;
  /** Buyers released at the start, each on a new TCP connection. */
  buyers: number;
  variants: number;
  unitsPerVariant: number;
  /** Over how long the buyers are released, from the start. */
  releaseMs: number;
  perCustomerLimit: number;
  /** How far ahead of now the drop starts (the early taps and the warm-up happen before). */
  leadMs?: number;
  /** Phones of this storm's buyers start here (a warm-up storm takes other phones than the measured one). */
  phoneBase?: number;
}

export interface DropStormResult {
  buyers: number;
  units: number;
  sold: number;
  oversold: number;
  statuses: Record<string, number>;
  /** Refusal reasons (details.code, or the message for a plain sold-out). */
  reasons: Record<string, number>;
  serverErrors: number;
  connectionFailures: number;
  /** Refusals that were not 409/429 with a message. */
  unexplainedRefusals: number;
  /** Phones with more units than the limit. */
  overLimitPhones: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From the start until the last unit's order was answered. */
  soldOutAfterMs: number | null;
  /** Of the first `units` buyers released, the share that got a unit. */
  firstArrivalsServed: number;
  /** Before the start: what an early tap heard. */
  earlyTap: { status: number; code: string | undefined; opensAt: string | undefined };
}

interface Answer {
  index: number;
  status: number;
  body: { details?: { code?: string }; message?: string } | undefined;
  ms: number;
  endedAt: number;
  error?: string;
}

/** A chunked body, decoded (the app answers with Content-Length; this is for whatever else may answer). */
function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; ;) {
    const lineEnd = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * One buyer: a new TCP connection, one HTTP/1.1 POST (`Connection: close`), the whole answer read until the server
 * closes. Written on a bare socket rather than node:http's client, which costs the load generator about 0.4 ms of CPU
 * per request: 5,000 of them in one second would take more than the second, so the storm measured its own client.
 */
function post(url: URL, body: string): Promise<{ status: number; text: string }> {
  const request = Buffer.from(
    `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', reject);
    socket.once('end', () => {
      const raw = Buffer.concat(chunks);
      const headEnd = raw.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(raw.subarray(0, 16).toString('latin1'));
      if (headEnd < 0 || !status) {
        reject(new Error(`no complete HTTP answer (${raw.length} bytes)`));
        return;
      }
      const head = raw.subarray(0, headEnd).toString('latin1');
      const rest = raw.subarray(headEnd + 4);
      const text = (/\r\ntransfer-encoding: *chunked/i.test(head) ? dechunk(rest) : rest).toString('utf8');
      resolve({ status: Number(status[1]), text });
    });
    socket.write(request);
  });
}

async function api(baseUrl: string, token: string, method: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const phoneOf = (i: number) => `+9197${String(i).padStart(8, '0')}`;

/**
 * The drop storm: a drop of `variants` × `unitsPerVariant` units starts; `buyers` guests (one unit each, spread over
 * the variants, each on a fresh connection) are released within `releaseMs` of the start, in arrival order. Every
 * 50th buyer is the same bot phone (it may get at most the per-customer limit). The database then says what sold.
 */
export async function runDropStorm(options: DropStormOptions, db: pg.Pool): Promise<DropStormResult> {
  const tag = Date.now().toString(36).toUpperCase();
  const product = await api(options.baseUrl, options.adminToken, 'POST', '/products', {
    name: `Storm drop ${tag}`,
    variants: Array.from({ length: options.variants }, (_, v) => ({
      sku: `STORM-${tag}-${v}`,
      name: `Size ${v + 1}`,
      priceMinor: 199900,
      currency: 'INR',
      initialStock: options.unitsPerVariant,
    })),
  });
  const variantIds: string[] = product.variants.map((v: { id: string }) => v.id);
  const startsAt = Date.now() + (options.leadMs ?? 3000);
  await api(options.baseUrl, options.adminToken, 'POST', '/admin/drops', {
    name: `Storm ${tag}`,
    startsAt: new Date(startsAt).toISOString(),
    productIds: [product.id],
    perCustomerLimit: options.perCustomerLimit,
  });
  const url = new URL('/orders/checkout', options.baseUrl);
  const bodyOf = (i: number) =>
    JSON.stringify({
      items: [{ variantId: variantIds[Math.abs(i) % variantIds.length], quantity: 1 }],
      contact: {
        name: `Storm buyer ${i}`,
        phone: i % 50 === 49 ? phoneOf(99_999_999 - (options.phoneBase ?? 0)) : phoneOf((options.phoneBase ?? 0) + Math.abs(i)),
      },
      shippingAddress: { line1: `${i} Drop Street`, city: 'Mumbai', postalCode: '400001', country: 'IN' },
      paymentMethod: 'cod',
    });
  // An early tap (it also has every instance read the drop before the start).
  const early = await post(url, bodyOf(-1));
  const earlyBody = JSON.parse(early.text) as { details?: { code?: string; opensAt?: string } };
  const bodies = Array.from({ length: options.buyers }, (_, i) => bodyOf(i));

  const answers: Answer[] = [];
  await new Promise<void>((resolve) => {
    let pending = options.buyers;
    const zero = performance.now() + (startsAt - Date.now());
    for (let i = 0; i < options.buyers; i++) {
      const at = zero + (i * options.releaseMs) / options.buyers;
      setTimeout(
        () => {
          const sent = performance.now();
          post(url, bodies[i]).then(
            ({ status, text }) => {
              let body: Answer['body'];
              try {
                body = JSON.parse(text) as Answer['body'];
              } catch {
                body = undefined;
              }
              const endedAt = performance.now();
              answers.push({ index: i, status, body, ms: endedAt - sent, endedAt: endedAt - zero });
              if (--pending === 0) resolve();
            },
            (error: unknown) => {
              const endedAt = performance.now();
              answers.push({
                index: i,
                status: 0,
                body: undefined,
                ms: endedAt - sent,
                endedAt: endedAt - zero,
                error: (error as Error).message,
              });
              if (--pending === 0) resolve();
            },
          );
        },
        Math.max(0, at - performance.now()),
      );
    }
  });

  const statuses: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  for (const a of answers) {
    statuses[a.error ? 'connection failure' : String(a.status)] = (statuses[a.error ? 'connection failure' : String(a.status)] ?? 0) + 1;
    if (a.status >= 400) {
      const reason = a.body?.details?.code ?? a.body?.message ?? 'none';
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
  }
  const created = answers.filter((a) => a.status === 201);
  const { rows: soldRows } = await db.query<{ sold: number; negative: number }>(
    `SELECT coalesce(sum(oi.quantity), 0)::int AS sold,
            (SELECT count(*)::int FROM inventory_levels WHERE variant_id = ANY($1::uuid[]) AND (on_hand < 0 OR reserved > on_hand)) AS negative
       FROM order_items oi WHERE oi.variant_id = ANY($1::uuid[])`,
    [variantIds],
  );
  const { rows: phones } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT o.phone FROM orders o JOIN order_items oi ON oi.order_id = o.id
       WHERE oi.variant_id = ANY($1::uuid[]) GROUP BY o.phone HAVING sum(oi.quantity) > $2) x`,
    [variantIds, options.perCustomerLimit],
  );
  const units = options.variants * options.unitsPerVariant;
  const latencies = answers
    .filter((a) => !a.error)
    .map((a) => a.ms)
    .sort((a, b) => a - b);
  const firstArrivals = answers.filter((a) => a.index < units);
  return {
    buyers: options.buyers,
    units,
    sold: soldRows[0].sold,
    oversold: Math.max(0, soldRows[0].sold - units) + soldRows[0].negative,
    statuses,
    reasons,
    serverErrors: answers.filter((a) => a.status >= 500).length,
    connectionFailures: answers.filter((a) => a.error).length,
    unexplainedRefusals: answers.filter((a) => !a.error && a.status !== 201 && (![409, 429].includes(a.status) || !a.body?.message)).length,
    overLimitPhones: phones[0].n,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    maxMs: Math.round(Math.max(...latencies)),
    soldOutAfterMs: created.length ? Math.round(Math.max(...created.map((a) => a.endedAt))) : null,
    firstArrivalsServed: firstArrivals.filter((a) => a.status === 201).length / Math.max(1, firstArrivals.length),
    earlyTap: { status: early.status, code: earlyBody.details?.code, opensAt: earlyBody.details?.opensAt },
  };
}
