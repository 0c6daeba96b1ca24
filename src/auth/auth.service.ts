import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { PrismaService } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '../common/errors/domain-errors.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import type { User } from '../generated/prisma/client.js';
import type { LoginDto, RegisterDto, TokenResponse, UserResponse } from './dto/auth.dto.js';


export function toUserResponse(user: User): UserResponse {
  return { id: user.id, email: user.email, name: user.name, phone: user.phone, role: user.role, createdAt: user.createdAt };
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
  ) {}

  hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.get('BCRYPT_ROUNDS', { infer: true }));
  }

  /** Self-registration always creates a CUSTOMER; admins are made by the seed or by other admins. */
  async register(dto: RegisterDto): Promise<TokenResponse> {
    const email = dto.email.toLowerCase();
    const passwordHash = await this.hashPassword(dto.password);
    const user = await this.prisma.$transaction(async (tx) => {
      if (await tx.user.findUnique({ where: { email }, select: { id: true } })) throw new ConflictError('An account with this email already exists');
      const created = await tx.user.create({ data: { email, passwordHash, name: dto.name, phone: dto.phone, role: 'CUSTOMER' } });
      await this.audit.record(tx, { actor: { type: 'USER', id: created.id }, action: 'user.registered', entityType: 'user', entityId: created.id, after: toUserResponse(created) });
      return created;
    });
    return this.issueToken(user);
  }

  async login(dto: LoginDto): Promise<TokenResponse> {
    const user = await this.prisma.user.findUnique({ where: { email: dto.email.toLowerCase() } });
    const ok = await bcrypt.compare(dto.password, user?.passwordHash ?? (await (this.dummyHash ??= this.hashPassword(randomUUID()))));
    if (!user || !ok) throw new UnauthorizedError('Email or password is incorrect');
    return this.issueToken(user);
  }

  async me(userId: string): Promise<UserResponse> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) throw new NotFoundError('User');
    return toUserResponse(user);
  }

  private async issueToken(user: User): Promise<TokenResponse> {
    const accessToken = await this.jwt.signAsync({ sub: user.id, email: user.email, role: user.role });
    const { exp, iat } = this.jwt.decode(accessToken) as { exp: number; iat: number };
    return { accessToken, tokenType: 'Bearer', expiresIn: exp - iat, user: toUserResponse(user) };
  }
}
