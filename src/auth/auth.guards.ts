import { ExecutionContext, Injectable, CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ForbiddenError, UnauthorizedError } from '../common/errors/domain-errors.js';
import { authenticatedUser, IS_OPTIONAL_AUTH, IS_PUBLIC, ROLES, type AuthUser } from '../common/http/access.js';
import { BrandContext } from '../common/context/brand-context.js';
import type { Role } from '../generated/prisma/enums.js';

/** Global: every route needs a valid bearer token unless marked @Public() or @OptionalAuth(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const optional = this.reflector.getAllAndOverride<boolean>(IS_OPTIONAL_AUTH, targets);
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
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, [context.getHandler(), context.getClass()]);
    if (!roles?.length) return true;
    const user = authenticatedUser(context);
    if (!user) throw new UnauthorizedError('A valid bearer token is required');
    if (!roles.includes(user.role)) throw new ForbiddenError(`This action requires the ${roles.join(' or ')} role`);
    return true;
  }
}
