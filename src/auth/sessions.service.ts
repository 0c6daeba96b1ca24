import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import { UnauthorizedError } from '../common/errors/domain-errors.js';
import type { User } from '../generated/prisma/client.js';

/** A refresh token is good for this long after it was issued; every use issues a new one, so an active session slides. */
export const SESSION_IDLE_SECONDS = 7 * 24 * 3600;
/** No session outlives this, however often it is refreshed: staff sign in again at least monthly. */
export const SESSION_MAX_SECONDS = 30 * 24 * 3600;

/** A refresh token as handed to the browser (the raw value exists only here and in the cookie). */
export interface IssuedSession {
  refreshToken: string;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const sessionEnded = () => new UnauthorizedError('Your session has ended; sign in again');

/**
 * Browser sessions built on rotating refresh tokens (RefreshToken in schema.prisma). A refresh marks the presented
 * token used and issues its successor in the same family; presenting a used token again means someone else holds a
 * copy, so the whole family is revoked and both holders must sign in again (reuse detection).
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  /** A new session (family) for a user who just proved their password. Sweeps the user's long-expired tokens. */
  async start(user: User): Promise<IssuedSession> {
    return this.prisma.$transaction(async (tx) => {
      await tx.refreshToken.deleteMany({ where: { userId: user.id, expiresAt: { lt: new Date() } } });
      const session = await this.issue(tx, user.id, randomUUID(), new Date());
      await this.audit.record(tx, {
        actor: { type: 'USER', id: user.id },
        action: 'auth.session_started',
        entityType: 'user',
        entityId: user.id,
      });
      return session;
    });
  }

  /** Exchanges a refresh token for its successor and the user it belongs to. 401 when it is unknown, expired, revoked or reused. */
  async rotate(presented: string | undefined): Promise<{ user: User; session: IssuedSession }> {
    if (!presented) throw new UnauthorizedError('No session: sign in');
    const outcome = await this.prisma.$transaction(async (tx) => {
      const token = await tx.refreshToken.findFirst({ where: { tokenHash: hashToken(presented) }, include: { user: true } });
      const now = new Date();
      if (!token || token.revokedAt || token.expiresAt <= now || token.user.disabledAt) return { ended: true as const };
      // The conditional update is the claim: of two requests with the same token, the second finds it used.
      const claimed = await tx.refreshToken.updateMany({ where: { id: token.id, usedAt: null }, data: { usedAt: now } });
      if (claimed.count === 0) {
        const revoked = await this.revokeFamily(tx, token.familyId);
        await this.audit.record(tx, {
          actor: { type: 'USER', id: token.userId },
          action: 'auth.refresh_token_reused',
          entityType: 'user',
          entityId: token.userId,
          after: { familyId: token.familyId, tokensRevoked: revoked },
        });
        return { ended: true as const };
      }
      return {
        ended: false as const,
        user: token.user,
        session: await this.issue(tx, token.userId, token.familyId, token.sessionStartedAt),
      };
    });
    // Thrown after the commit, so that a reuse's revocation stays.
    if (outcome.ended) throw sessionEnded();
    return outcome;
  }

  /** Sign-out: the presented token's whole family is revoked. Unknown or missing tokens are already signed out. */
  async end(presented: string | undefined): Promise<void> {
    if (!presented) return;
    await this.prisma.$transaction(async (tx) => {
      const token = await tx.refreshToken.findFirst({
        where: { tokenHash: hashToken(presented) },
        select: { userId: true, familyId: true },
      });
      if (!token || !(await this.revokeFamily(tx, token.familyId))) return;
      await this.audit.record(tx, {
        actor: { type: 'USER', id: token.userId },
        action: 'auth.session_ended',
        entityType: 'user',
        entityId: token.userId,
      });
    });
  }

  /**
   * Revokes every session of a user except the one `keep` (a refresh token) belongs to, inside the caller's
   * transaction (a password change). Returns how many sessions ended.
   */
  async revokeOthers(tx: Tx, userId: string, keep: string | undefined): Promise<number> {
    const kept = keep
      ? await tx.refreshToken.findFirst({ where: { tokenHash: hashToken(keep) }, select: { userId: true, familyId: true } })
      : null;
    const keepFamily = kept?.userId === userId ? kept.familyId : undefined;
    const families = await tx.refreshToken.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: new Date() }, ...(keepFamily && { familyId: { not: keepFamily } }) },
      distinct: ['familyId'],
      select: { familyId: true },
    });
    if (families.length) {
      await tx.refreshToken.updateMany({
        where: { familyId: { in: families.map((f) => f.familyId) }, revokedAt: null },
        data: { revokedAt: new Date() },
      });
    }
    return families.length;
  }

  private async issue(tx: Tx, userId: string, familyId: string, sessionStartedAt: Date): Promise<IssuedSession> {
    const refreshToken = randomBytes(32).toString('base64url');
    const idleEnd = Date.now() + SESSION_IDLE_SECONDS * 1000;
    const expiresAt = new Date(Math.min(idleEnd, sessionStartedAt.getTime() + SESSION_MAX_SECONDS * 1000));
    await tx.refreshToken.create({ data: { userId, familyId, tokenHash: hashToken(refreshToken), sessionStartedAt, expiresAt } });
    return { refreshToken, expiresAt };
  }

  private async revokeFamily(tx: Tx, familyId: string): Promise<number> {
    return (await tx.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } })).count;
  }
}
