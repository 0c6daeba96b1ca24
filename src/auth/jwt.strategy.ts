import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { EnvironmentVariables } from '../config/configuration.js';
import type { AuthUser } from '../common/http/access.js';
import type { Role } from '../generated/prisma/enums.js';
import { DEFAULT_BRAND_ID } from '../common/context/brand-context.js';

interface JwtPayload {
  sub: string;
  email: string;
  role: Role;
  /** The brand the user belongs to; tokens issued before brands existed are the default brand's. */
  brand?: string;
  exp?: number;
}

/** validateEnvironment always sets JWT_SECRET (required in production, generated for development). */
function jwtSecret(config: ConfigService<EnvironmentVariables, true>): string {
  const secret = config.get('JWT_SECRET', { infer: true });
  if (!secret) throw new Error('JWT_SECRET is not set');
  return secret;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(config: ConfigService<EnvironmentVariables, true>) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: jwtSecret(config),
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  validate(payload: JwtPayload): AuthUser {
    return {
      id: payload.sub,
      email: payload.email,
      role: payload.role,
      brandId: payload.brand ?? DEFAULT_BRAND_ID,
      ...(payload.exp !== undefined && { tokenExpiresAt: payload.exp * 1000 }),
    };
  }
}
