import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { AuthService } from '../auth/auth.service.js';
import { AuditService } from '../audit/audit.service.js';
import { ProductsService } from '../products/products.service.js';
import { SettingsService } from '../settings/settings.service.js';
import { SYSTEM_ACTOR } from '../common/actor.js';
import { DEMO_CATALOGUE } from './demo-catalogue.js';

/**
 * First start only: an admin account (password printed once, unless ADMIN_PASSWORD is set) and a demo catalogue.
 * Safe on several instances at once: a transaction-scoped advisory lock lets one of them seed.
 */
export async function seedIfEmpty(app: INestApplication, log: (m: string) => void): Promise<void> {
  const prisma = app.get(PrismaService);
  const auth = app.get(AuthService);
  const audit = app.get(AuditService);
  const products = app.get(ProductsService);
  const email = (process.env.ADMIN_EMAIL ?? 'admin@orderline.local').toLowerCase();
  const password = process.env.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
  const passwordHash = await auth.hashPassword(password);
  const defaultLowStockThreshold = await app.get(SettingsService).defaultLowStockThreshold();

  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(4242001)`;
    if (!(await tx.user.findFirst({ where: { role: 'ADMIN' }, select: { id: true } }))) {
      const admin = await tx.user.create({ data: { email, passwordHash, name: 'Administrator', role: 'ADMIN' } });
      await audit.record(tx, { actor: SYSTEM_ACTOR, action: 'user.seeded_admin', entityType: 'user', entityId: admin.id, after: { email } });
      log(process.env.ADMIN_PASSWORD ? `Created admin ${email} with ADMIN_PASSWORD` : `Created admin ${email} with password ${password} (shown once; change it or set ADMIN_PASSWORD)`);
    }
    if (await tx.product.count()) return;
    // The same code path as POST /products: opening stock through the ledger, an audit entry per product.
    for (const { variants, ...product } of DEMO_CATALOGUE) {
      const input = { ...product, variants: variants.map(({ stock, ...variant }) => ({ ...variant, initialStock: stock })) };
      await products.createInTransaction(tx, input, SYSTEM_ACTOR, { stockReason: 'demo seed', defaultLowStockThreshold });
    }
    log(`Seeded ${DEMO_CATALOGUE.length} demo products`);
  }, { timeout: 60_000 });
}
