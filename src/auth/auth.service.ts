import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { PrismaService } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import { ConflictError, InvalidInputError, NotFoundError, UnauthorizedError } from '../common/errors/domain-errors.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import type { User } from '../generated/prisma/client.js';
import type { ChangePasswordDto, LoginDto, RegisterDto, TokenResponse, UserResponse } from './dto/auth.dto.js';
import { SessionsService, type IssuedSession } from './sessions.service.js';
import { BRAND_SLUG, BrandsService } from '../brands/brands.service.js';

/** A slug from a brand name: "Chai Point & Co." is chai-point-co. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    phone: user.phone,
    role: user.role,
    owner: user.owner,
    createdAt: user.createdAt,
  };
}

@Injectable()
export class AuthService {
  // Compared against for unknown emails, so they take as long as a wrong password (no account probing by timing).
  private dummyHash?: Promise<string>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly config: ConfigService<EnvironmentVariables, true>,
    private readonly sessions: SessionsService,
    private readonly brands: BrandsService,
  ) {}

  hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.get('BCRYPT_ROUNDS', { infer: true }));
  }

  /**
   * Self-registration creates a CUSTOMER of the request's brand; admins are made by the seed or by other admins. In
   * platform mode, a registration with a brand name signs up a brand: the brand and its owner (an admin) in one
   * transaction, and the token is the new brand's.
   */
  async register(dto: RegisterDto): Promise<TokenResponse> {
    if (dto.brandName !== undefined || dto.brandSlug !== undefined) return this.registerBrand(dto);
    const email = dto.email.toLowerCase();
    const passwordHash = await this.hashPassword(dto.password);
    const user = await this.prisma.$transaction(async (tx) => {
      if (await tx.user.findFirst({ where: { email }, select: { id: true } }))
        throw new ConflictError('An account with this email already exists');
      const created = await tx.user.create({ data: { email, passwordHash, name: dto.name, phone: dto.phone, role: 'CUSTOMER' } });
      await this.audit.record(tx, {
        actor: { type: 'USER', id: created.id },
        action: 'user.registered',
        entityType: 'user',
        entityId: created.id,
        after: toUserResponse(created),
      });
      return created;
    });
    return this.issueToken(user);
  }

  private async registerBrand(dto: RegisterDto): Promise<TokenResponse> {
    if (!this.config.get('PLATFORM_MODE', { infer: true }))
      throw new InvalidInputError('Validation failed: brandName', [
        { field: dto.brandName !== undefined ? 'brandName' : 'brandSlug', errors: ['brand sign-up needs platform mode (PLATFORM_MODE)'] },
      ]);
    if (dto.brandName === undefined)
      throw new InvalidInputError('Validation failed: brandName', [
        { field: 'brandName', errors: ['brandName is required with brandSlug'] },
      ]);
    const name = dto.brandName.trim();
    const slug = dto.brandSlug ?? slugify(name);
    if (!name || !BRAND_SLUG.test(slug))
      throw new InvalidInputError('Validation failed: brandName', [
        { field: 'brandName', errors: ['brandName must contain letters or digits (or give a brandSlug)'] },
      ]);
    const email = dto.email.toLowerCase();
    const passwordHash = await this.hashPassword(dto.password);
    let owner!: User;
    await this.brands.create({ slug, name }, async (tx, brand) => {
      owner = await tx.user.create({ data: { email, passwordHash, name: dto.name, phone: dto.phone, role: 'ADMIN', owner: true } });
      await this.audit.record(tx, {
        actor: { type: 'USER', id: owner.id, role: 'ADMIN' },
        action: 'brand.registered',
        entityType: 'brand',
        entityId: brand.id,
        after: { brand: { id: brand.id, slug: brand.slug, name: brand.name }, owner: toUserResponse(owner) },
      });
    });
    return this.issueToken(owner);
  }

  /** An access token; with `refreshCookie`, also a browser session (its refresh token goes into the cookie). */
  async login(dto: LoginDto): Promise<{ token: TokenResponse; session?: IssuedSession }> {
    const user = await this.prisma.user.findFirst({ where: { email: dto.email.toLowerCase() } });
    const ok = await bcrypt.compare(dto.password, user?.passwordHash ?? (await (this.dummyHash ??= this.hashPassword(randomUUID()))));
    if (!user || !ok) throw new UnauthorizedError('Email or password is incorrect');
    // Said only to whoever knows the password: an owner disabled this account.
    if (user.disabledAt) throw new UnauthorizedError('This account is disabled; ask the brand owner to enable it');
    return { token: await this.issueToken(user), session: dto.refreshCookie ? await this.sessions.start(user) : undefined };
  }

  /** A fresh access token for the session's refresh token, and that token's successor. */
  async refresh(refreshToken: string | undefined): Promise<{ token: TokenResponse; session: IssuedSession }> {
    const { user, session } = await this.sessions.rotate(refreshToken);
    return { token: await this.issueToken(user), session };
  }

  /**
   * Changes the signed-in user's own password after checking the current one, and ends their other sessions (the one
   * `currentSession` belongs to stays). Audited without either password. Access tokens already issued stay valid
   * until they expire (JWT_EXPIRES_IN).
   */
  async changePassword(userId: string, dto: ChangePasswordDto, currentSession: string | undefined): Promise<void> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) throw new UnauthorizedError('A valid bearer token is required');
    if (!(await bcrypt.compare(dto.currentPassword, user.passwordHash))) {
      throw new InvalidInputError('Validation failed: currentPassword', [
        { field: 'currentPassword', errors: ['currentPassword is not your current password'] },
      ]);
    }
    if (dto.newPassword === dto.currentPassword) {
      throw new InvalidInputError('Validation failed: newPassword', [
        { field: 'newPassword', errors: ['newPassword must differ from the current password'] },
      ]);
    }
    const passwordHash = await this.hashPassword(dto.newPassword);
    await this.prisma.$transaction(async (tx) => {
      // Only if nobody changed it since it was checked: two concurrent changes cannot both win.
      const changed = await tx.user.updateMany({ where: { id: userId, passwordHash: user.passwordHash }, data: { passwordHash } });
      if (!changed.count) throw new ConflictError('The password was changed at the same time; try again');
      const sessionsEnded = await this.sessions.revokeOthers(tx, userId, currentSession);
      await this.audit.record(tx, {
        actor: { type: 'USER', id: userId },
        action: 'user.password_changed',
        entityType: 'user',
        entityId: userId,
        after: { sessionsEnded },
      });
    });
  }

  async me(userId: string): Promise<UserResponse> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) throw new NotFoundError('User');
    return toUserResponse(user);
  }

  private async issueToken(user: User): Promise<TokenResponse> {
    const accessToken = await this.jwt.signAsync({ sub: user.id, email: user.email, role: user.role, brand: user.brandId });
    const { exp, iat } = this.jwt.decode<{ exp: number; iat: number }>(accessToken);
    return { accessToken, tokenType: 'Bearer', expiresIn: exp - iat, user: toUserResponse(user) };
  }
}
