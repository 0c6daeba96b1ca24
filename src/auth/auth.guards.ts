import { ExecutionContext, Injectable, CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-errors.js';
import { authenticatedUser, IS_OPTIONAL_AUTH, IS_PUBLIC, ROLES, type AuthUser } from '../common/http/access.js';
import { BrandContext } from '../common/context/brand-context.js';
import type { Role } from '../generated/prisma/enums.js';
import { perRoute } from '../common/http/route-metadata.js';

/** Global: every route needs a valid bearer token unless marked @Public() or @OptionalAuth(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly access: (context: ExecutionContext) => { isPublic: boolean; optional: boolean };

  constructor(reflector: Reflector) {
    super();
    this.access = perRoute((...targets) => ({
      isPublic: reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) === true,
      optional: reflector.getAllAndOverride<boolean | undefined>(IS_OPTIONAL_AUTH, targets) === true,
    }));
  }

  override canActivate(context: ExecutionContext) {
    const { isPublic, optional } = this.access(context);
    if (isPublic) return true;
    if (optional && !context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization)
      return true;
    return super.canActivate(context);
  }

  override handleRequest<TUser>(err: unknown, user: TUser): TUser {
    if (err || !user) throw new UnauthorizedError('A valid bearer token is required');
    // A token is good for its own brand only: the request's brand was fixed before any guard ran.
    if ((user as unknown as AuthUser).brandId !== BrandContext.current()) throw new UnauthorizedError('A valid bearer token is required');
    return user;
  }
}

/** Global: enforces @Roles(); runs after JwtAuthGuard so req.user is set. */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly roles: (context: ExecutionContext) => Role[] | undefined;

  constructor(reflector: Reflector) {
    this.roles = perRoute((...targets) => reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets));
  }

  canActivate(context: ExecutionContext): boolean {
    const roles = this.roles(context);
    if (!roles?.length) return true;
    const user = authenticatedUser(context);
    if (!user) throw new UnauthorizedError('A valid bearer token is required');
    if (!roles.includes(user.role)) throw new ForbiddenError(`This action requires the ${roles.join(' or ')} role`);
    return true;
  }
}
