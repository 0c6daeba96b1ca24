import { randomBytes } from 'node:crypto';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../config/configuration.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { AuthService } from '../auth/auth.service.js';
import { AuditService } from '../audit/audit.service.js';
import { ProductsService } from '../products/products.service.js';
import { SettingsService } from '../settings/settings.service.js';
import { SYSTEM_ACTOR } from '../common/actor.js';
import { DEMO_CATALOGUE } from './demo-catalogue.js';

export interface SeedResult {
  /** The admin account created by this start (none when an admin already existed). */
  createdAdmin?: { email: string; generatedPassword?: string };
}

/** A password for a new account when the operator gives none: 96 random bits. */
export const generatePassword = () => randomBytes(12).toString('base64url');

/**
 * First start: an admin account whatever SEED_DEMO_DATA says (ADMIN_EMAIL, with ADMIN_PASSWORD or a generated password
 * the caller shows once), and with SEED_DEMO_DATA a demo catalogue when there are no products. Safe on several
 * instances at once: a transaction-scoped advisory lock lets one of them seed.
 */
export async function seedIfEmpty(app: INestApplication | INestApplicationContext, log: (m: string) => void): Promise<SeedResult> {
  const prisma = app.get(PrismaService);
  const auth = app.get(AuthService);
  const audit = app.get(AuditService);
  const products = app.get(ProductsService);
  const config = app.get<ConfigService<EnvironmentVariables, true>>(ConfigService);
  const email = config.get('ADMIN_EMAIL', { infer: true }).toLowerCase();
  const configuredPassword = config.get('ADMIN_PASSWORD', { infer: true });
  const password = configuredPassword ?? generatePassword();
  const passwordHash = await auth.hashPassword(password);
  const defaultLowStockThreshold = await app.get(SettingsService).defaultLowStockThreshold();

  return prisma.$transaction(
    async (tx) => {
      const result: SeedResult = {};
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(4242001)`;
      if (!(await tx.user.findFirst({ where: { role: 'ADMIN' }, select: { id: true } }))) {
        // The first admin owns the install: it adds the other staff accounts in the console.
        const admin = await tx.user.create({ data: { email, passwordHash, name: 'Administrator', role: 'ADMIN', owner: true } });
        await audit.record(tx, {
          actor: SYSTEM_ACTOR,
          action: 'user.seeded_admin',
          entityType: 'user',
          entityId: admin.id,
          after: { email, owner: true },
        });
        // A generated password is shown once by the caller (the startup banner), never written to the log.
        log(configuredPassword ? `Created admin ${email} with ADMIN_PASSWORD` : `Created admin ${email} with a generated password`);
        result.createdAdmin = { email, ...(!configuredPassword && { generatedPassword: password }) };
      }
      if (!config.get('SEED_DEMO_DATA', { infer: true }) || (await tx.product.count())) return result;
      // The same code path as POST /products: opening stock through the ledger, an audit entry per product.
      for (const { variants, ...product } of DEMO_CATALOGUE) {
        const input = { ...product, variants: variants.map(({ stock, ...variant }) => ({ ...variant, initialStock: stock })) };
        await products.createInTransaction(tx, input, SYSTEM_ACTOR, { stockReason: 'demo seed', defaultLowStockThreshold });
      }
      log(`Seeded ${DEMO_CATALOGUE.length} demo products`);
      return result;
    },
    { timeout: 60_000 },
  );
}
