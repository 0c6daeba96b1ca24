import { Injectable } from '@nestjs/common';
import type { User } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import { AdminAccountsService } from '../auth/admin-accounts.service.js';
import { AuthService } from '../auth/auth.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import type { Actor } from '../common/actor.js';
import type { AuthUser } from '../common/http/access.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/domain-errors.js';
import type { AddStaffDto, StaffMemberResponse } from './dto/staff.dto.js';

const toStaffMember = (user: User): StaffMemberResponse => ({
  id: user.id,
  email: user.email,
  name: user.name,
  owner: user.owner,
  disabledAt: user.disabledAt,
  createdAt: user.createdAt,
});

/**
 * The brand's staff accounts. Every admin sees the list; only an owner adds admins, disables or enables them and
 * resets their passwords (an owner's own account is changed only by the operator's CLI, so the brand cannot lock
 * itself out). Each change is audited and ends the account's sessions where it should.
 */
@Injectable()
export class StaffService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly accounts: AdminAccountsService,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<StaffMemberResponse[]> {
    const users = await this.prisma.user.findMany({ where: { role: 'ADMIN' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return users.map(toStaffMember);
  }

  async add(dto: AddStaffDto, caller: AuthUser, actor: Actor): Promise<StaffMemberResponse> {
    await this.requireOwner(caller);
    const { id } = await this.accounts.createAdmin(dto, actor);
    return toStaffMember(await this.prisma.user.findUniqueOrThrow({ where: { id } }));
  }

  /** Disables an admin: no sign-in, no session refresh, and the tokens they hold stop working at once. */
  async disable(id: string, caller: AuthUser, actor: Actor): Promise<StaffMemberResponse> {
    await this.requireOwner(caller);
    return this.prisma.$transaction(async (tx) => {
      const user = await this.lockStaff(tx, id, caller, 'disable');
      if (user.disabledAt) return toStaffMember(user);
      const updated = await tx.user.update({ where: { id }, data: { disabledAt: new Date() } });
      const sessionsEnded = await this.sessions.revokeOthers(tx, id, undefined);
      await this.audit.record(tx, {
        actor,
        action: 'user.disabled',
        entityType: 'user',
        entityId: id,
        after: { email: user.email, sessionsEnded },
      });
      return toStaffMember(updated);
    });
  }

  async enable(id: string, caller: AuthUser, actor: Actor): Promise<StaffMemberResponse> {
    await this.requireOwner(caller);
    return this.prisma.$transaction(async (tx) => {
      const user = await this.lockStaff(tx, id, caller, 'enable');
      if (!user.disabledAt) return toStaffMember(user);
      const updated = await tx.user.update({ where: { id }, data: { disabledAt: null } });
      await this.audit.record(tx, { actor, action: 'user.enabled', entityType: 'user', entityId: id, after: { email: user.email } });
      return toStaffMember(updated);
    });
  }

  /** Sets a new password (audited without it) and signs the admin out everywhere. */
  async resetPassword(id: string, password: string, caller: AuthUser, actor: Actor): Promise<StaffMemberResponse> {
    await this.requireOwner(caller);
    const passwordHash = await this.auth.hashPassword(password);
    return this.prisma.$transaction(async (tx) => {
      const user = await this.lockStaff(tx, id, caller, 'reset the password of');
      const updated = await tx.user.update({ where: { id }, data: { passwordHash } });
      const sessionsEnded = await this.sessions.revokeOthers(tx, id, undefined);
      await this.audit.record(tx, {
        actor,
        action: 'user.password_reset',
        entityType: 'user',
        entityId: id,
        after: { email: user.email, sessionsEnded },
      });
      return toStaffMember(updated);
    });
  }

  private async requireOwner(caller: AuthUser): Promise<void> {
    const me = await this.prisma.user.findUnique({ where: { id: caller.id }, select: { owner: true } });
    if (!me?.owner) throw new ForbiddenError('Only the brand owner can manage staff accounts');
  }

  /** The admin to change, row-locked; never the caller or another owner. */
  private async lockStaff(tx: Tx, id: string, caller: AuthUser, what: string): Promise<User> {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${id}::uuid AND role = 'ADMIN' FOR UPDATE`;
    if (!locked.length) throw new NotFoundError('Staff account', id);
    const user = await tx.user.findUniqueOrThrow({ where: { id } });
    if (user.id === caller.id) throw new ConflictError(`You cannot ${what} your own account here`);
    if (user.owner) throw new ConflictError(`An owner's account cannot be changed here: ${what} it with npm run admin`);
    return user;
  }
}
