import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { EnvironmentVariables } from '../config/configuration.js';
import type { AuthUser } from '../common/http/access.js';
import type { Role } from '../generated/prisma/enums.js';
import { DEFAULT_BRAND_ID } from '../common/context/brand-context.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { UnauthorizedError } from '../common/errors/domain-errors.js';
import { UUID_PATTERN } from '../common/uuid.js';

interface JwtPayload {
  sub: string;
  email: string;
  role: Role;
  /** The brand the user belongs to; tokens issued before brands existed are the default brand's. */
  brand?: string;
  exp?: number;
}

/**
 * validateEnvironment always sets JWT_SECRET (required in production, generated for development). It is handed to
 * jsonwebtoken as a KeyObject made once: given a string, jsonwebtoken first tries it as a PEM public key on every
 * verification and makes the secret key from it only after that throws (measured: ~0.7 ms of CPU per request).
 * passport-jwt passes the key through unchanged; its types only know strings and Buffers.
 */
function jwtSecret(config: ConfigService<EnvironmentVariables, true>): Buffer {
  const secret = config.get('JWT_SECRET', { infer: true });
  if (!secret) throw new Error('JWT_SECRET is not set');
  return createSecretKey(Buffer.from(secret)) as unknown as Buffer;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: ConfigService<EnvironmentVariables, true>,
    private readonly prisma: PrismaService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: jwtSecret(config),
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  /**
   * Staff tokens (brand admins, platform admins) are checked against the account on every request (one primary-key
   * read, a prepared statement sent straight to the pool: it runs on every staff request), so disabling one locks them
   * out at once rather than when their token expires. Customer tokens are taken as signed.
   */
  async validate(payload: JwtPayload): Promise<AuthUser> {
    if (payload.role === 'ADMIN' || payload.role === 'PLATFORM_ADMIN') {
      const [account] = UUID_PATTERN.test(payload.sub)
        ? await this.prisma.direct.$queryRaw<({ role: Role; disabled: boolean } | undefined)[]>`
            SELECT role::text AS role, disabled_at IS NOT NULL AS disabled FROM users WHERE id = ${payload.sub}::uuid`
        : [];
      if (account?.role !== payload.role || account.disabled) throw new UnauthorizedError('This account is disabled or no longer staff');
    }
    return {
      id: payload.sub,
      email: payload.email,
      role: payload.role,
      brandId: payload.brand ?? DEFAULT_BRAND_ID,
      ...(payload.exp !== undefined && { tokenExpiresAt: payload.exp * 1000 }),
    };
  }
}
