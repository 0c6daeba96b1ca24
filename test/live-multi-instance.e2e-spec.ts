import bcrypt from 'bcrypt';
import { ConfigService } from '@nestjs/config';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { createScratchDatabase, type ScratchDatabase } from './setup/test-database.js';
import { buildApp, startAppProcess, type AppProcess } from './support/app-process.js';
import { createProductWithStock } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { uniqueEmail } from './support/helpers.js';
import { openSse, type SseClient } from './support/sse-client.js';

/**
 * Live updates across instances: two production processes (node dist/main.js) on one database, as behind a load
 * balancer. A browser's event stream is held by one instance while the change is made through the other; PostgreSQL
 * LISTEN/NOTIFY carries it across. Then the instance holding streams is stopped with SIGTERM: its streams end at once
 * with a `bye`, and the drain does not wait for them.
 */
describe('live events across two instances', () => {
  let database: ScratchDatabase;
  let prisma: PrismaService;
  let a: AppProcess;
  let b: AppProcess;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    await buildApp();
    database = await createScratchDatabase('orderline_live_multi');
    prisma = new PrismaService(new ConfigService({ DATABASE_URL: database.url, DB_POOL_SIZE: 2, TX_MAX_ATTEMPTS: 12 }) as any);
    const env = {
      DATABASE_URL: database.url,
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      LOG_REQUESTS: 'false',
      SHUTDOWN_TIMEOUT_MS: '30000',
    };
    [a, b] = await Promise.all([startAppProcess(env), startAppProcess(env)]);
  }, 240_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([a, b].map((app) => app?.kill()));
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('delivers a change made through one instance to the streams held by the other, and ends them on SIGTERM', async () => {
    const email = uniqueEmail('live-admin');
    await prisma.user.create({ data: { email, passwordHash: await bcrypt.hash('adminpass123', 4), name: 'Admin', role: 'ADMIN' } });
    const login = await fetch(`${a.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'adminpass123' }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const product = await createProductWithStock(prisma, [{ stock: 3 }]);
    const variantId = product.variants[0].id;

    // The browser's streams are on B.
    const catalogue = await openSse(`${b.baseUrl}/live/catalogue?products=${product.id}`);
    const staff = await openSse(`${b.baseUrl}/live/orders`, { Authorization: `Bearer ${accessToken}` });
    clients.push(catalogue, staff);
    expect([catalogue.status, staff.status]).toEqual([200, 200]);
    await catalogue.next((e) => e.event === 'snapshot');

    // The purchase goes through A.
    const placed = await fetch(`${a.baseUrl}/orders/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(checkoutBody([{ variantId, quantity: 2 }])),
    });
    expect(placed.status).toBe(201);
    const { order } = (await placed.json()) as { order: { id: string; number: string } };
    expect((await catalogue.next((e) => e.event === 'stock')).data).toEqual({ productId: product.id, variantId, available: 1 });
    expect((await staff.next((e) => e.event === 'order')).data).toMatchObject({ id: order.id, number: order.number, status: 'CONFIRMED' });

    // An admin edit through A reaches B's product page too.
    const edited = await fetch(`${a.baseUrl}/products/${product.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', Authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ name: 'Renamed on A' }),
    });
    expect(edited.status).toBe(200);
    expect((await catalogue.next((e) => e.event === 'product')).data.productId).toBe(product.id);

    // SIGTERM on B: the streams end with a bye at once (well before SHUTDOWN_TIMEOUT_MS of 30 s), and B exits cleanly.
    const started = Date.now();
    const exit = await b.signal('SIGTERM');
    expect(exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    await Promise.all([catalogue.ended, staff.ended]);
    expect(catalogue.events.at(-1)).toEqual({ event: 'bye', data: { reason: 'shutdown' } });
    expect(staff.events.at(-1)).toEqual({ event: 'bye', data: { reason: 'shutdown' } });

    // A keeps serving streams on its own.
    const onA = await openSse(`${a.baseUrl}/live/catalogue?products=${product.id}`);
    clients.push(onA);
    expect((await onA.next((e) => e.event === 'snapshot')).data.products[0].variants[0].available).toBe(1);
  });
});
