import { ConfigService } from '@nestjs/config';
import { PrismaService } from './prisma.service.js';
import { afterCommit } from './after-commit.js';

/** Real PostgreSQL: after-commit callbacks run once per committed transaction, never for a retried or failed attempt. */
describe('afterCommit', () => {
  let prisma: PrismaService;
  const table = `after_commit_probe_${process.pid}`;

  beforeAll(async () => {
    prisma = new PrismaService(new ConfigService({ DATABASE_URL: process.env.DATABASE_URL, DB_POOL_SIZE: 2, TX_MAX_ATTEMPTS: 3 }) as any);
    await prisma.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS ${table} (id text primary key)`);
  });
  afterAll(async () => {
    await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${table}`);
    await prisma.$disconnect();
  });

  const committedRows = async (id: string) =>
    (await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table} WHERE id = $1`, id))[0].n;

  it('runs once, after the commit, even when an attempt was retried', async () => {
    const seen: number[] = [];
    let attempts = 0;
    await prisma.serializable(async (tx) => {
      attempts++;
      await tx.$executeRawUnsafe(`INSERT INTO ${table} VALUES ($1)`, `retried-${attempts}`);
      // The callback checks, from another connection, that the row is committed when it runs.
      afterCommit(tx, () => void committedRows(`retried-${attempts}`).then((n) => seen.push(n)));
      if (attempts === 1) throw new Error('could not serialize access due to read/write dependencies among transactions');
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(attempts).toBe(2);
    expect(seen).toEqual([1]);
    expect(await committedRows('retried-1')).toBe(0);
  });

  it('never runs for a transaction that rolled back', async () => {
    const calls: string[] = [];
    await expect(
      prisma.serializable(async (tx) => {
        afterCommit(tx, () => calls.push('ran'));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(calls).toEqual([]);
  });

  it('runs at once outside a transaction opened by serializable()', () => {
    const calls: string[] = [];
    afterCommit(prisma, () => calls.push('ran'));
    expect(calls).toEqual(['ran']);
  });
});
