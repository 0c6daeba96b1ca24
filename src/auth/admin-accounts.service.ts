import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { AuthService } from './auth.service.js';

/** Operators' account tasks (`npm run admin`): create an admin, reset a password. Both audited. */
@Injectable()
export class AdminAccountsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  /** A brand admin of the default brand; with `platform`, a platform admin (platform mode: manages the brands, no brand's data). */
  async createAdmin(
    input: { email: string; password: string; name: string; platform?: boolean },
    actor: Actor,
  ): Promise<{ id: string; email: string }> {
    const role = input.platform ? 'PLATFORM_ADMIN' : 'ADMIN';
    const email = input.email.trim().toLowerCase();
    this.checkPassword(input.password);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new InvalidInputError(`"${input.email}" is not an email address`);
    const passwordHash = await this.auth.hashPassword(input.password);
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.user.findFirst({ where: { email }, select: { role: true } });
      if (existing)
        throw new ConflictError(
          `An account with ${email} already exists (${existing.role}); reset its password instead, or use another email`,
        );
      const user = await tx.user.create({ data: { email, passwordHash, name: input.name, role } });
      await this.audit.record(tx, {
        actor,
        action: 'user.admin_created',
        entityType: 'user',
        entityId: user.id,
        after: { email, role },
      });
      return { id: user.id, email };
    });
  }

  async resetPassword(emailInput: string, password: string, actor: Actor): Promise<{ id: string; email: string; role: string }> {
    const email = emailInput.trim().toLowerCase();
    this.checkPassword(password);
    const passwordHash = await this.auth.hashPassword(password);
    return this.prisma.$transaction(async (tx) => {
      const user = await tx.user.findFirst({ where: { email } });
      if (!user) throw new NotFoundError('User', email);
      await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
      await this.audit.record(tx, { actor, action: 'user.password_reset', entityType: 'user', entityId: user.id, after: { email } });
      return { id: user.id, email, role: user.role };
    });
  }

  /** The rule registration applies (bcrypt reads at most 72 bytes). */
  private checkPassword(password: string): void {
    if (password.length < 8 || Buffer.byteLength(password) > 72) throw new InvalidInputError('The password must be 8 to 72 characters');
  }
}
