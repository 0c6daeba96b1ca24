import http from 'node:http';
import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { ConfigService } from '@nestjs/config';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { createScratchDatabase, type ScratchDatabase } from './setup/test-database.js';
import { buildApp, startAppProcess, type AppProcess } from './support/app-process.js';
import { createProductWithStock, inventoryLevel, ledgerViolations } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { pooled, sleep, uniqueEmail } from './support/helpers.js';

/**
 * WEB_CONCURRENCY=2: the real app (node dist/main.js) as a primary and two workers on one port. Each request says
 * which worker answered it (its X-Request-Id is on that worker's request log line, with the worker's pid). A checkout
 * storm served by both sells exactly the stock; a product write through one worker reaches the other's cached product
 * read; a worker killed is replaced by the primary; SIGTERM stops them all cleanly.
 */

interface Answer {
  status: number;
  body: any;
  /** The worker that answered. */
  pid: number;
}

describe('WEB_CONCURRENCY=2 (a primary and two workers)', () => {
  let database: ScratchDatabase;
  let prisma: PrismaService;
  let app: AppProcess;

  /** One request on a new connection (so the workers share them as they share customers). */
  const requestText = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; text: string; pid: number }> => {
    const requestId = randomUUID();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        `${app.baseUrl}${path}`,
        {
          method,
          agent: false,
          headers: { 'x-request-id': requestId, ...(payload && { 'content-type': 'application/json' }), ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    }).then(async ({ status, text }) => {
      // The request line is written as the answer finishes: it may reach the output a moment after the answer.
      const line = await app.waitForLog((l) => l.reqId === requestId, 5_000);
      return { status, text, pid: line.pid as number };
    });
  };
  const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
    requestText(method, path, body, headers).then(({ status, text, pid }) => ({ status, body: text ? JSON.parse(text) : undefined, pid }));

  beforeAll(async () => {
    await buildApp();
    database = await createScratchDatabase('orderline_workers');
    prisma = new PrismaService(new ConfigService({ DATABASE_URL: database.url, DB_POOL_SIZE: 2, TX_MAX_ATTEMPTS: 12 }) as any);
    app = await startAppProcess({
      DATABASE_URL: database.url,
      WEB_CONCURRENCY: '2',
      LOG_FORMAT: 'json',
      LOG_REQUESTS: 'true',
      RATE_LIMIT_ENABLED: 'false', // the storm comes from one IP
      // Long enough that only the write's notification can explain a fresh read.
      CATALOGUE_CACHE_SECONDS: '3600',
      DB_POOL_SIZE: '4',
    });
    // /health answers once one worker listens; the banner, once both do.
    await app.waitForLog((l) => l.workers === 2 && /Orderline is running/.test(String(l.msg)));
  }, 120_000);

  afterAll(async () => {
    await app?.kill();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('seeds once, and prints one banner with the admin password', () => {
    const logs = app.logs();
    expect(logs.filter((l) => /^Created admin/.test(String(l.msg)))).toHaveLength(1);
    expect(logs.filter((l) => /Admin .* password: /.test(String(l.msg)))).toHaveLength(1);
    expect(app.workerPids()).toHaveLength(2);
  });

  it('sells exactly the stock to a checkout storm served by both workers', async () => {
    const STOCK = 15;
    const product = await createProductWithStock(prisma, [{ stock: STOCK }]);
    const variantId = product.variants[0].id;
    const answers = await pooled(60, 30, () => request('POST', '/orders/checkout', checkoutBody([{ variantId, quantity: 1 }])));
    expect(answers.filter((a) => a.status !== 201 && a.status !== 409)).toEqual([]);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(STOCK);
    expect(new Set(answers.map((a) => a.pid))).toEqual(new Set(app.workerPids()));
    const level = await inventoryLevel(prisma, variantId);
    expect(level.onHand - level.reserved).toBe(0);
    expect(await ledgerViolations(prisma, [variantId])).toEqual([]);

    // A scrape of the shared port counts both workers' sales, whichever worker takes it.
    const scrapers = new Set<number>();
    for (let i = 0; i < 20 && scrapers.size < 2; i++) {
      const scrape = await requestText('GET', '/metrics');
      expect(scrape.text).toMatch(/^orderline_checkouts_total\{outcome="created"\} 15$/m);
      scrapers.add(scrape.pid);
    }
    expect(scrapers.size).toBe(2);
  });

  it("shows a product write made through one worker in the other's cached read", async () => {
    const email = uniqueEmail('workers-admin');
    await prisma.user.create({ data: { email, passwordHash: await bcrypt.hash('adminpass123', 4), name: 'Admin', role: 'ADMIN' } });
    const login = await request('POST', '/auth/login', { email, password: 'adminpass123' });
    const auth = { Authorization: `Bearer ${login.body.accessToken}` };
    const product = await createProductWithStock(prisma, [{ stock: 5 }]);
    const read = () => request('GET', `/products/${product.slug}`);

    // Both workers have read (and cached) the product.
    const readers = new Set<number>();
    for (let i = 0; i < 40 && readers.size < 2; i++) {
      const answer = await read();
      expect(answer.body.name).toBe(product.name);
      readers.add(answer.pid);
    }
    expect(readers.size).toBe(2);

    const write = await request('PATCH', `/products/${product.id}`, { name: 'Renamed through one worker' }, auth);
    expect(write.status).toBe(200);
    // The writer's own reads are fresh at once; the other worker's as soon as the notification reaches it.
    let other: Answer | undefined;
    const deadline = Date.now() + 5_000;
    while (!other && Date.now() < deadline) {
      const answer = await read();
      if (answer.pid === write.pid) expect(answer.body.name).toBe('Renamed through one worker');
      else if (answer.body.name === 'Renamed through one worker') other = answer;
      else await sleep(20);
    }
    expect(other).toBeDefined();
  });

  it('replaces a worker that dies, and stops every process on SIGTERM', async () => {
    const [victim, survivor] = app.workerPids();
    process.kill(victim, 'SIGKILL');
    await app.waitForLog((l) => l.workerPid === victim && /ended \(signal SIGKILL\); starting another/.test(String(l.msg)));
    const deadline = Date.now() + 30_000;
    let replacement: number | undefined;
    while (!replacement && Date.now() < deadline) {
      await sleep(100);
      replacement = app.workerPids().find((pid) => pid !== survivor && pid !== victim);
    }
    expect(replacement).toBeDefined();
    await app.waitForLog((l) => l.pid === replacement && l.msg === 'Nest application successfully started');
    expect(app.workerPids().sort()).toEqual([survivor, replacement].sort());
    expect(app.alive).toBe(true);

    expect(await app.stop(20_000)).toBe(0);
    const stopped = app.logs().filter((l) => l.msg === 'Stopped');
    expect(stopped.map((l) => l.pid ?? 'primary').sort()).toEqual([survivor, replacement, 'primary'].sort());
  });
});
