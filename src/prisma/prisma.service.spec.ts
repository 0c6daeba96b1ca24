import { ConfigService } from '@nestjs/config';
import pg from 'pg';
import { PrismaService, type Tx } from './prisma.service.js';
import { TransactionConflictError } from '../common/errors/domain-errors.js';

/** Real PostgreSQL: two Serializable transactions that read-then-write the same rows cannot both commit. */
describe('PrismaService.serializable', () => {
  const make = (maxAttempts: number) =>
    new PrismaService(new ConfigService({ DATABASE_URL: process.env.DATABASE_URL, DB_POOL_SIZE: 4, TX_MAX_ATTEMPTS: maxAttempts }) as any);
  let prisma: PrismaService;
  let table: string;

  beforeAll(async () => {
    prisma = make(5);
    table = `tx_probe_${process.pid}`;
    await prisma.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS ${table} (id int primary key, n int not null)`);
  });
  afterAll(async () => {
    await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${table}`);
    await prisma.$disconnect();
  });
  beforeEach(async () => {
    await prisma.$executeRawUnsafe(`TRUNCATE ${table}`);
    await prisma.$executeRawUnsafe(`INSERT INTO ${table} VALUES (1, 0), (2, 0)`);
  });

  /** Classic write skew: each reads the sum of both rows and writes one of them. Serializable must abort one. */
  function writeSkew(tx: Tx, row: number, rendezvous: { arrived: number; release?: () => void; gate: Promise<void> }, calls: number[]) {
    return async () => {
      calls[row]++;
      await tx.$queryRawUnsafe(`SELECT sum(n) FROM ${table}`);
      if (calls[row] === 1) {
        // Only on the first attempt: wait until the other transaction has read too, so their reads overlap.
        rendezvous.arrived++;
        if (rendezvous.arrived === 2) rendezvous.release!();
        await rendezvous.gate;
      }
      await tx.$executeRawUnsafe(`UPDATE ${table} SET n = n + 1 WHERE id = ${row}`);
    };
  }

  function newRendezvous() {
    const r: { arrived: number; release?: () => void; gate: Promise<void> } = { arrived: 0, gate: Promise.resolve() };
    r.gate = new Promise<void>((resolve) => (r.release = resolve));
    return r;
  }

  it('retries a real serialization failure until both transactions commit', async () => {
    const rendezvous = newRendezvous();
    const calls = [0, 0, 0];
    await Promise.all([1, 2].map((row) => prisma.serializable((tx) => writeSkew(tx, row, rendezvous, calls)())));
    expect(calls[1] + calls[2]).toBeGreaterThanOrEqual(3); // at least one transaction ran twice
    const rows = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT n FROM ${table} ORDER BY id`);
    expect(rows.map((r) => r.n)).toEqual([1, 1]);
  });

  it('gives up with TransactionConflictError after the configured attempts', async () => {
    const once = make(1);
    try {
      const rendezvous = newRendezvous();
      const calls = [0, 0, 0];
      const results = await Promise.allSettled([1, 2].map((row) => once.serializable((tx) => writeSkew(tx, row, rendezvous, calls)())));
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toBeInstanceOf(TransactionConflictError);
      expect(rejected[0].reason.status).toBe(409);
      expect(calls[1] + calls[2]).toBe(2); // no retry with maxAttempts = 1
    } finally {
      await once.$disconnect();
    }
  });

  it('returns the connection to the pool when COMMIT fails (no leak after more failures than connections)', async () => {
    const small = new PrismaService(
      new ConfigService({ DATABASE_URL: process.env.DATABASE_URL, DB_POOL_SIZE: 2, TX_MAX_ATTEMPTS: 1 }) as any,
    );
    try {
      for (let round = 0; round < 4; round++) {
        await prisma.$executeRawUnsafe(`UPDATE ${table} SET n = 0`);
        const rendezvous = newRendezvous();
        const calls = [0, 0, 0];
        const results = await Promise.allSettled([1, 2].map((row) => small.serializable((tx) => writeSkew(tx, row, rendezvous, calls)())));
        expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
      }
      const probe = small.$queryRawUnsafe<{ x: number }[]>('SELECT 1 AS x');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('pool exhausted: connection leaked')), 5_000);
      });
      try {
        await expect(Promise.race([probe, timeout])).resolves.toEqual([{ x: 1 }]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await small.$disconnect();
    }
  });

  it('does not retry ordinary errors', async () => {
    let calls = 0;
    await expect(
      prisma.serializable(async () => {
        calls++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });

  it('opens each transaction at the isolation level it asked for, in one BEGIN statement', async () => {
    const sent: string[] = [];
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
      sent.push(typeof config === 'string' ? config : (config as { text: string }).text);
      return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
    } as typeof query;
    const fresh = make(5); // its connections are opened after the spy is in place
    try {
      const isolation = (tx: Tx) => tx.$queryRaw<{ level: string }[]>`SELECT current_setting('transaction_isolation') AS level`;
      const [serializable] = await fresh.serializable(isolation);
      expect(serializable.level).toBe('serializable');
      const [repeatable] = await fresh.$transaction(isolation, { isolationLevel: 'RepeatableRead' });
      expect(repeatable.level).toBe('repeatable read');
      const [plain] = await fresh.$transaction(isolation);
      expect(plain.level).toBe('read committed');
      expect(sent.filter((text) => /^(BEGIN|SET TRANSACTION)/.test(text))).toEqual([
        'BEGIN ISOLATION LEVEL SERIALIZABLE',
        'BEGIN ISOLATION LEVEL REPEATABLE READ',
        'BEGIN',
      ]);
      // Concurrent starts at different levels each get their own.
      const levels = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? fresh.serializable(isolation) : fresh.$transaction(isolation))),
      );
      expect(levels.map(([row]) => row.level)).toEqual(Array.from({ length: 8 }, (_, i) => (i % 2 ? 'serializable' : 'read committed')));
    } finally {
      pg.Client.prototype.query = query;
      await fresh.$disconnect();
    }
  });

  it('has the server end a transaction left idle, so leaked row locks cannot block checkouts for ever', async () => {
    const [row] = await prisma.$queryRaw<{ timeout: string }[]>`SELECT current_setting('idle_in_transaction_session_timeout') AS timeout`;
    expect(row.timeout).toBe('1min');
  });
});
