import { applyDecorators, Controller, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiTags } from '@nestjs/swagger';
import type { Role } from '../../generated/prisma/enums.js';
import type { Actor } from '../actor.js';

/*
 * Who may call a route: the vocabulary every controller uses, at the bottom so that any module may. The auth module's
 * guards enforce it (auth.guards.ts) and its JWT strategy puts the AuthUser on the request.
 */

export const IS_PUBLIC = 'auth:public';
export const IS_OPTIONAL_AUTH = 'auth:optional';
export const ROLES = 'auth:roles';

/**
 * How a route is guarded, marked on its OpenAPI operation for the document's post-processing (src/openapi-document.ts),
 * which turns it into the operation's `security` and its 401/403 answers and then removes the mark.
 */
export const ACCESS_EXTENSION = 'x-orderline-access';
export type RouteAccess = 'public' | 'optional' | 'roles';

/** No token needed (catalogue, webhooks, login). */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(ACCESS_EXTENSION, 'public' satisfies RouteAccess));
/** A token is used when present and valid; guests pass without one (checkout). A bad token is still 401. */
export const OptionalAuth = () =>
  applyDecorators(SetMetadata(IS_OPTIONAL_AUTH, true), ApiExtension(ACCESS_EXTENSION, 'optional' satisfies RouteAccess));
/** Only these roles; others get 403. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(ROLES, roles), ApiExtension(ACCESS_EXTENSION, 'roles' satisfies RouteAccess));

export interface AuthUser {
  id: string;
  email: string;
  role: Role;
  /** The brand the token was issued for: only the same brand's requests accept it. */
  brandId: string;
  /** When the bearer token expires (epoch ms): long-lived answers (event streams) end then. */
  tokenExpiresAt?: number;
}

/** The user the JWT strategy put on the request, if any. */
export const authenticatedUser = (ctx: ExecutionContext): AuthUser | undefined => ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;

/** The signed-in user (undefined for guests on optional-auth routes). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser | undefined => authenticatedUser(ctx));

/** The caller as an audit actor: the user, or a guest. */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const user = authenticatedUser(ctx);
  return user ? { type: 'USER', id: user.id, role: user.role } : { type: 'GUEST' };
});

/**
 * An admin controller: its routes under `path`, grouped under `tag` in the API document, for staff with a bearer token.
 * The guards read the role; the document's post-processing (src/openapi-document.ts) adds the 401 and 403 answers from
 * the same metadata. One decorator instead of the same header on every admin controller.
 */
export const AdminController = (path: string, tag: string) =>
  applyDecorators(ApiTags(tag), ApiBearerAuth(), Roles('ADMIN'), Controller(path));
