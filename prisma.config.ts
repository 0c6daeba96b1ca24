// Prisma CLI configuration. The JS engine + driver adapter lets `prisma migrate deploy` and
// `prisma migrate diff` run with no downloaded engine binaries (the project must install offline).
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  experimental: { adapter: true },
  engine: 'js',
  adapter: () => {
    // `migrate diff` between schema files never connects, so an unset URL only fails commands that do.
    const url = process.env.DATABASE_URL ?? 'postgresql://localhost:1/database-url-not-set';
    // allowExitOnIdle: the CLI would otherwise wait out the pool's 10 s idle timeout before exiting.
    return Promise.resolve(new PrismaPg({ connectionString: url, allowExitOnIdle: true, idleTimeoutMillis: 50 }));
  },
});
