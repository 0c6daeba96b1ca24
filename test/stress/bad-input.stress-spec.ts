import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { TestApp } from '../support/test-app.js';
import { createProductWithStock } from '../support/fixtures.js';
// No static import of the app (support/test-app.js): the harness loads it once the provider settings are in the
// environment, and configuration is read when the app module loads.
import { startPaymentsHarness, type PaymentsHarness } from '../support/payments-harness.js';
import { checkerPool } from '../support/database.js';
import {
  changedTables,
  databaseFingerprint,
  HOSTILE_STRINGS,
  hostileJson,
  hostileString,
  schemaArbitrary,
  type OpenApiDoc,
} from '../support/hostile.js';
import { scaled } from '../support/scale.js';

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodySchema?: unknown;
  secured: boolean;
  /** needs a token and documents a 403 answer: role-restricted (admin) */
  adminOnly: boolean;
  /** answers with a server-sent-event stream, which stays open */
  streams: boolean;
}

/** Admin routes the issues name, checked even where the OpenAPI document does not list their 403 answer. */
const ADMIN_ROUTES = [
  'get /orders',
  'post /orders/{id}/fulfill',
  'post /orders/{id}/deliver',
  'post /orders/{id}/refunds',
  'get /audit',
  'post /products',
  'patch /products/{id}',
  'delete /products/{id}',
  'patch /inventory/{variantId}',
  'get /admin/settings',
];

/** The run's secret (test/setup/global-setup.mjs), the one the app signs with. */
const JWT_SECRET = process.env.JWT_SECRET!;
const headerSafe = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });

function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const params: { name: string; in: string }[] = op.parameters ?? [];
      const security: Record<string, unknown>[] = op.security ?? doc.security ?? [];
      ops.push({
        method,
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        bodySchema: op.requestBody?.content?.['application/json']?.schema,
        // Takes a user's bearer token (required, or optional as on checkout): a bad one is refused with 401.
        secured: security.some((requirement) => 'bearer' in requirement),
        // Requires one (no anonymous alternative) and answers 403 to the wrong role.
        adminOnly: security.length > 0 && security.every((requirement) => 'bearer' in requirement) && Boolean(op.responses?.['403']),
        streams: Boolean(op.responses?.['200']?.content?.['text/event-stream']),
      });
    }
  }
  return ops;
}

/**
 * supertest parser for operations that answer with an event stream: a stream (which never ends) is read up to its
 * headers and closed; an error answer is read whole, as JSON.
 */
function streamAware(
  res: NodeJS.ReadableStream & { headers: Record<string, string | undefined>; destroy(): void },
  done: (error: Error | null, body: unknown) => void,
) {
  if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    res.destroy();
    done(null, {});
    return;
  }
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (text += chunk));
  res.on('end', () => {
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, text);
    }
  });
}

/** express-style path with its parameters filled in (already URL-encoded, or deliberately malformed). */
const fillPath = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_m, name: string) => values[name]);

describe('bad input: random and hostile requests against every endpoint', () => {
  let h: PaymentsHarness;
  let registerCustomer: PaymentsHarness['support']['registerCustomer'];
  let bearer: PaymentsHarness['support']['bearer'];
  let uniqueEmail: PaymentsHarness['support']['uniqueEmail'];
  let t: TestApp;
  let db: pg.Pool;
  let doc: OpenApiDoc;
  let ops: Operation[];
  let customer: { token: string; id: string; email: string };
  let other: { token: string; id: string; email: string };
  let admin: { token: string; id: string };
  /** Real ids and slugs, so random requests also reach existing records. */
  const known: string[] = [];

  beforeAll(async () => {
    // Payment providers configured (against the simulator), so webhooks and payment routes do their real checks.
    h = await startPaymentsHarness();
    ({ registerCustomer, bearer, uniqueEmail } = h.support);
    t = h.t;
    admin = h.admin;
    // The owner: owner-only staff routes then answer past the role check too (404 for the random ids), not 403.
    await t.prisma.user.update({ where: { id: admin.id }, data: { owner: true } });
    db = checkerPool();
    customer = await registerCustomer(t, 'fuzz-owner');
    other = await registerCustomer(t, 'fuzz-other');
    const product = await createProductWithStock(t.prisma, [{ stock: 500 }, { stock: 5 }]);
    known.push(product.id, product.slug, ...product.variants.map((v) => v.id), customer.id, admin.id);
    doc = (await t.http.get('/docs-json').expect(200)).body;
    ops = operationsOf(doc);
    for (const method of ['cod', 'stripe', 'razorpay']) {
      const order = await placeOrder(method);
      known.push(order.id, order.number);
    }
  });

  afterAll(async () => {
    await db?.end();
    await h?.close();
  });

  /** An order of the customer's, for a product of its own (the fuzzing may archive the shared one, legitimately). */
  async function placeOrder(paymentMethod = 'stripe'): Promise<{ id: string; number: string }> {
    const fresh = (await createProductWithStock(t.prisma, [{ stock: 5 }])).variants[0].id;
    const res = await t.http.post('/orders/checkout').set(bearer(customer.token)).send(checkoutBody(fresh, { paymentMethod }));
    expect(res.status).toBe(201);
    return res.body.order;
  }

  const checkoutBody = (variantId: string, overrides: Record<string, unknown> = {}) => ({
    items: [{ variantId, quantity: 1 }],
    contact: { name: 'Fuzz Owner', email: customer.email, phone: '+919800000001' },
    shippingAddress: { line1: '1 Test Street', city: 'Pune', postalCode: '411001', country: 'IN' },
    paymentMethod: 'cod',
    ...overrides,
  });

  const auths = () =>
    fc.constantFrom<[string, Record<string, string>]>(
      ['anonymous', {}],
      ['customer', bearer(customer.token)],
      ['admin', bearer(admin.token)],
      ['garbage', { Authorization: 'Bearer not.a.token' }],
      ['basic', { Authorization: 'Basic YWRtaW46YWRtaW4=' }],
    );

  function requestArbitrary(op: Operation) {
    const pathValue = fc.oneof(
      { weight: 3, arbitrary: fc.oneof(fc.uuid(), fc.constantFrom(...known)).map(encodeURIComponent) },
      { weight: 3, arbitrary: hostileString.map(encodeURIComponent) },
      { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%00', '..%2F..%2Fetc', '%ZZ') },
    );
    const queryKey = op.queryParams.length
      ? fc.oneof(fc.constantFrom(...op.queryParams), fc.string({ maxLength: 12 }))
      : fc.string({ maxLength: 12 });
    const queryValue = fc.oneof(
      hostileString,
      fc.integer().map(String),
      fc.constantFrom('-1', '0', '1e9', '999999999999', 'true', 'null', '[]'),
    );
    const query = fc.array(fc.tuple(queryKey, queryValue, fc.constantFrom('', '[]', '[x]')), { maxLength: 5 });
    const body = fc.oneof(
      { weight: 4, arbitrary: schemaArbitrary(doc, op.bodySchema as never).map((v) => JSON.stringify(v)) },
      { weight: 2, arbitrary: hostileJson.map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'nul', '[1,2', '\u0000', '{"__proto__":{"role":"ADMIN"}}') },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
    const headers = fc.record(
      {
        'Content-Type': fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/xml',
          'multipart/form-data; boundary=x',
          'garbage',
        ),
        'Idempotency-Key': headerSafe,
        'X-Request-Id': headerSafe,
        'Stripe-Signature': headerSafe,
        'X-Razorpay-Signature': headerSafe,
        Accept: fc.constantFrom('*/*', 'text/html', 'application/xml'),
      },
      { requiredKeys: ['Content-Type'] },
    );
    return fc.record({
      path: fc.record(Object.fromEntries(op.pathParams.map((p) => [p, pathValue]))),
      query,
      body,
      headers,
      auth: auths(),
    });
  }

  it('never answers 5xx, keeps the common error shape, and changes nothing on a 4xx or a read', async () => {
    expect(ops.length).toBeGreaterThan(5);
    const failures: string[] = [];
    let fingerprint = await databaseFingerprint(db);
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op), async (input) => {
          const qs = input.query.map(([k, v, suffix]) => `${encodeURIComponent(k)}${suffix}=${encodeURIComponent(v)}`).join('&');
          const url = fillPath(op.path, input.path) + (qs ? `?${qs}` : '');
          let req = t.http[op.method](url).timeout(20_000).set(input.headers).set(input.auth[1]);
          if (op.streams) req = req.buffer(true).parse(streamAware as never);
          if (input.body !== undefined && op.method !== 'get') req = req.send(input.body);
          const res = await req;
          const where = `${op.method.toUpperCase()} ${url} as ${input.auth[0]} with ${String(input.body).slice(0, 200)} → ${res.status}`;
          expect({ where, status: res.status < 500 }).toEqual({ where, status: true });
          if (res.status >= 400) {
            expect(res.body).toEqual(
              expect.objectContaining({ statusCode: res.status, error: expect.any(String), message: expect.any(String) }),
            );
          }
          const after = await databaseFingerprint(db);
          const changed = changedTables(fingerprint, after);
          if ((res.status >= 400 || op.method === 'get') && changed.length) {
            failures.push(`${where} changed ${changed.join(', ')}`);
          }
          // A request that legitimately succeeded (say a random but valid registration) moves the baseline.
          fingerprint = after;
        }),
        { numRuns: scaled(25), endOnFailure: true },
      );
    }
    expect(failures).toEqual([]);
  });

  it('answers 413 in the common shape to an oversized body on every endpoint that takes one', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) });
    const before = await databaseFingerprint(db);
    const bodyOps = ops.filter((op) => op.method !== 'get' && op.method !== 'delete');
    expect(bodyOps.length).toBeGreaterThan(2);
    for (const op of bodyOps) {
      const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p, randomUUID()])));
      const res = await t.http[op.method](url).set(bearer(admin.token)).set('Content-Type', 'application/json').send(huge);
      expect({ route: `${op.method} ${op.path}`, status: res.status }).toEqual({ route: `${op.method} ${op.path}`, status: 413 });
      expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
    }
    expect(changedTables(before, await databaseFingerprint(db))).toEqual([]);
  });

  it('refuses forged, expired, alg:none and wrong-key tokens on every authenticated endpoint', async () => {
    const claims = { sub: admin.id, email: 'admin@example.com', role: 'ADMIN' };
    const tokens = {
      forged: jwt.sign(claims, 'not-the-secret'),
      expired: jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, JWT_SECRET),
      algNone: jwt.sign(claims, '', { algorithm: 'none' }),
      tampered: (() => {
        const [h, , s] = jwt.sign({ ...claims, role: 'CUSTOMER' }, JWT_SECRET).split('.');
        return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      })(),
      notYetValid: jwt.sign({ ...claims, nbf: Math.floor(Date.now() / 1000) + 3600 }, JWT_SECRET),
    };
    const secured = ops.filter((op) => op.secured);
    expect(secured.length).toBeGreaterThan(3);
    const { id: orderId } = await placeOrder();
    for (const op of secured) {
      const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p, orderId])));
      for (const [kind, token] of Object.entries(tokens)) {
        const res = await t.http[op.method](url).set(bearer(token)).send({});
        expect({ route: `${op.method} ${op.path}`, kind, status: res.status }).toEqual({
          route: `${op.method} ${op.path}`,
          kind,
          status: 401,
        });
        expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
    }
  });

  it('gives a customer 403 on every admin endpoint, and lets the admin past the role check', async () => {
    const route = (op: Operation) => `${op.method} ${op.path}`;
    expect(ops.map(route)).toEqual(expect.arrayContaining(ADMIN_ROUTES));
    const adminOps = ops.filter((op) => op.adminOnly || ADMIN_ROUTES.includes(route(op)));
    for (const op of adminOps) {
      const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p, randomUUID()])));
      const before = await databaseFingerprint(db);
      const res = await t.http[op.method](url).set(bearer(customer.token)).send({});
      expect({ route: `${op.method} ${op.path}`, status: res.status }).toEqual({ route: `${op.method} ${op.path}`, status: 403 });
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect(changedTables(before, await databaseFingerprint(db))).toEqual([]);
      let adminRequest = t.http[op.method](url).set(bearer(admin.token));
      if (op.streams) adminRequest = adminRequest.buffer(true).parse(streamAware as never);
      const asAdmin = await adminRequest.send({});
      // The platform's routes are the platform admin's: a brand's admin, even its owner, stops at their role check.
      if (op.path.startsWith('/platform/')) expect({ route: route(op), status: asAdmin.status }).toEqual({ route: route(op), status: 403 });
      else expect({ route: route(op), status: asAdmin.status }).not.toEqual({ route: route(op), status: 403 });
    }
  });

  it("hides another customer's order: reading, its history, payment and cancelling all answer 404", async () => {
    const { id: customerOrderId } = await placeOrder();
    const before = await databaseFingerprint(db);
    const attempts = [
      ['get', `/orders/${customerOrderId}`],
      ['get', `/orders/${customerOrderId}/history`],
      ['get', `/orders/${customerOrderId}/payment`],
      ['post', `/orders/${customerOrderId}/cancel`],
    ] as const;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/orders/{id}', '/orders/{id}/cancel']));
    for (const [method, url] of attempts) {
      const res = await t.http[method](url).set(bearer(other.token)).send({});
      expect({ url, status: res.status }).toEqual({ url, status: 404 });
      expect(JSON.stringify(res.body)).not.toContain(customer.email);
    }
    expect(changedTables(before, await databaseFingerprint(db))).toEqual([]);
    const mine = await t.http.get(`/orders/${customerOrderId}`).set(bearer(customer.token)).expect(200);
    expect(mine.body.status).not.toBe('CANCELLED');
  });

  it('never lets registration set a role, an id or any other field it does not own', async () => {
    const base = (email: string) => `"email":"${email}","password":"password123","name":"Mallory"`;
    const sneaky = [
      (b: string) => `{${b},"role":"ADMIN"}`,
      (b: string) => `{${b},"role":"admin"}`,
      (b: string) => `{${b},"id":"${randomUUID()}"}`,
      (b: string) => `{${b},"passwordHash":"$2b$04$abcdefghijklmnopqrstuu"}`,
      (b: string) => `{${b},"user":{"role":"ADMIN"}}`,
      (b: string) => `{"__proto__":{"role":"ADMIN"},${b}}`,
      (b: string) => `{${b},"constructor":{"prototype":{"role":"ADMIN"}}}`,
    ];
    for (const make of sneaky) {
      const email = uniqueEmail('escalate');
      const raw = make(base(email));
      const res = await t.http.post('/auth/register').set('Content-Type', 'application/json').send(raw);
      if (res.status === 201) {
        expect(res.body.user.role).toBe('CUSTOMER');
        const stored = await db.query('SELECT role, password_hash FROM users WHERE email = $1', [email]);
        expect(stored.rows[0].role).toBe('CUSTOMER');
        expect(stored.rows[0].password_hash).not.toBe('$2b$04$abcdefghijklmnopqrstuu');
      } else {
        expect({ raw, status: res.status }).toEqual({ raw, status: 400 });
        expect((await db.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email])).rows[0].n).toBe(0);
      }
    }
    const admins = await db.query(`SELECT count(*)::int AS n FROM users WHERE role = 'ADMIN' AND name = 'Mallory'`);
    expect(admins.rows[0].n).toBe(0);
  });

  it('stores SQL-injection and other hostile strings verbatim and returns them unchanged', async () => {
    const storable = HOSTILE_STRINGS.filter((s) => s.trim().length > 0 && s.length <= 120 && !s.includes('\u0000'));
    for (const name of storable) {
      const email = uniqueEmail('inject');
      const reg = await t.http.post('/auth/register').send({ email, password: 'password123', name }).expect(201);
      expect(reg.body.user.name).toBe(name);
      const me = await t.http.get('/auth/me').set(bearer(reg.body.accessToken)).expect(200);
      expect(me.body.name).toBe(name);
    }
    // NUL cannot be stored in PostgreSQL text: it must be refused as bad input, not crash.
    const nul = await t.http.post('/auth/register').send({ email: uniqueEmail('nul'), password: 'password123', name: 'a\u0000b' });
    expect(nul.status).toBe(400);
    // Hostile search terms are data, not SQL.
    expect(doc.paths['/products']?.get).toBeDefined();
    expect(doc.paths['/orders']?.get).toBeDefined();
    for (const term of HOSTILE_STRINGS.filter((s) => !s.includes('\u0000'))) {
      const products = await t.http.get('/products').query({ search: term });
      expect([200, 400]).toContain(products.status);
      const orders = await t.http.get('/orders').set(bearer(admin.token)).query({ search: term });
      expect([200, 400]).toContain(orders.status);
    }
    expect((await db.query(`SELECT to_regclass('public.orders') IS NOT NULL AS ok`)).rows[0].ok).toBe(true);
    expect((await db.query(`SELECT to_regclass('public.users') IS NOT NULL AS ok`)).rows[0].ok).toBe(true);
    expect(doc.paths['/orders/checkout']?.post).toBeDefined();
    const variant = (await createProductWithStock(t.prisma, [{ stock: 100 }])).variants[0];
    for (const name of storable.slice(0, 10)) {
      const body = checkoutBody(variant.id, {
        contact: { name, email: customer.email, phone: '+919800000002' },
        shippingAddress: { line1: name, city: `Pune ${name}`.slice(0, 80), postalCode: '411001', country: 'IN' },
      });
      const res = await t.http.post('/orders/checkout').set(bearer(customer.token)).send(body).expect(201);
      const id = res.body.order.id;
      const order = await t.http.get(`/orders/${id}`).set(bearer(customer.token)).expect(200);
      expect(JSON.stringify(order.body)).toContain(JSON.stringify(name).slice(1, -1));
      const stored = await db.query(`SELECT customer_name, shipping_address->>'line1' AS line1 FROM orders WHERE id = $1`, [id]);
      expect(stored.rows[0]).toEqual({ customer_name: name, line1: name });
    }
  });
});
