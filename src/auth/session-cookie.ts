import type { Request, Response } from 'express';
import type { IssuedSession } from './sessions.service.js';
import { RequestContext } from '../common/context/request-context.js';

/**
 * The refresh token's cookie: httpOnly (page scripts never see it), SameSite=Strict (never sent by another site's
 * page), Secure when the request came over HTTPS (directly or, with TRUST_PROXY, through the proxy), and scoped to
 * /auth (under a brand's path prefix, /b/<slug>/auth) so that only the refresh, sign-out and password routes of that
 * brand ever receive it.
 */
export const SESSION_COOKIE = 'orderline_session';
const cookiePath = () => `${RequestContext.get()?.basePath ?? ''}/auth`;

/** The refresh token the browser sent, if any. */
export function readSessionCookie(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      // Our tokens are base64url; anything else was not set by us.
      return /^[\w-]{16,128}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** Sets the cookie on a response that also carries an access token: neither may be stored by a cache. */
export function writeSessionCookie(req: Request, res: Response, session: IssuedSession): void {
  res.setHeader('Cache-Control', 'no-store');
  res.cookie(SESSION_COOKIE, session.refreshToken, {
    httpOnly: true,
    secure: req.secure,
    sameSite: 'strict',
    path: cookiePath(),
    expires: session.expiresAt,
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: req.secure, sameSite: 'strict', path: cookiePath() });
}
