import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { startIsolatedTestApp, type IsolatedTestApp } from './support/isolated-app.js';
import type { TestApp } from './support/test-app.js';

/**
 * Browser sessions: sign-in with a refresh cookie, rotation on every refresh, reuse detection, sign-out and the
 * password change. Its own app with TRUST_PROXY=loopback, so a request marked X-Forwarded-Proto: https counts as HTTPS.
 */
describe('browser sessions (refresh cookie)', () => {
  let iso: IsolatedTestApp;
  let t: TestApp;
  let support: typeof import('./support/test-app.js');

  beforeAll(async () => {
    iso = await startIsolatedTestApp({ TRUST_PROXY: 'loopback' });
    t = iso.t;
    support = await import('./support/test-app.js');
  });
  afterAll(async () => {
    await iso?.close();
  });

  const setCookie = (res: Response): string | undefined =>
    ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('orderline_session='));
  const cookieValue = (res: Response): string => {
    const cookie = setCookie(res);
    if (!cookie) throw new Error(`no session cookie in ${res.status} ${JSON.stringify(res.headers)}`);
    return cookie.split(';')[0].slice('orderline_session='.length);
  };
  const withSession = (token: string) => ({ Cookie: `orderline_session=${token}` });
  const refresh = (token: string) => t.http.post('/auth/refresh').set(withSession(token));

  /** A user with a known password (sessions work the same for every role). */
  async function newStaff() {
    const { email, id } = await support.registerCustomer(t, 'staff');
    return { email, id, password: 'password123' };
  }

  async function signIn(email: string, password: string) {
    const res = await t.http.post('/auth/login').send({ email, password, refreshCookie: true }).expect(200);
    return { res, accessToken: res.body.accessToken as string, session: cookieValue(res) };
  }

  it('sets no cookie on a plain API login', async () => {
    const staff = await newStaff();
    const res = await t.http.post('/auth/login').send({ email: staff.email, password: staff.password }).expect(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(setCookie(res)).toBeUndefined();
    expect(await t.prisma.refreshToken.count({ where: { userId: staff.id } })).toBe(0);
  });

  it('starts a session with an httpOnly, SameSite=Strict cookie scoped to /auth, Secure only over HTTPS, storing only its hash', async () => {
    const staff = await newStaff();
    const { res, session } = await signIn(staff.email, staff.password);
    const cookie = setCookie(res)!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Strict/i);
    expect(cookie).toMatch(/; Path=\/auth(;|$)/);
    expect(cookie).toMatch(/; Expires=/);
    expect(cookie).not.toMatch(/; Secure/i);
    expect(res.headers['cache-control']).toBe('no-store');
    const rows = await t.prisma.refreshToken.findMany({ where: { userId: staff.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(createHash('sha256').update(session).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(session);
    expect(await t.prisma.auditLog.count({ where: { entityId: staff.id, action: 'auth.session_started' } })).toBe(1);

    const overHttps = await t.http
      .post('/auth/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: staff.email, password: staff.password, refreshCookie: true })
      .expect(200);
    expect(setCookie(overHttps)).toMatch(/; Secure/i);
  });

  it('exchanges the cookie for a working access token and rotates it', async () => {
    const staff = await newStaff();
    const first = await signIn(staff.email, staff.password);
    const res = await refresh(first.session).expect(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', user: { id: staff.id, email: staff.email } });
    const me = await t.http.get('/auth/me').set(support.bearer(res.body.accessToken)).expect(200);
    expect(me.body.id).toBe(staff.id);
    const second = cookieValue(res);
    expect(second).not.toBe(first.session);
    const third = cookieValue(await refresh(second).expect(200));
    expect(third).not.toBe(second);
    const rows = await t.prisma.refreshToken.findMany({ where: { userId: staff.id }, orderBy: { createdAt: 'asc' } });
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.familyId)).size).toBe(1);
    expect(rows.map((r) => r.usedAt === null)).toEqual([false, false, true]);
  });

  it('revokes the whole session when a used refresh token comes back (reuse detection)', async () => {
    const staff = await newStaff();
    const { session: stolen } = await signIn(staff.email, staff.password);
    const legitimate = cookieValue(await refresh(stolen).expect(200));
    const replay = await refresh(stolen).expect(401);
    expect(replay.body).toMatchObject({ statusCode: 401, message: expect.stringContaining('sign in again') });
    expect(setCookie(replay)).toMatch(/orderline_session=;/);
    // The legitimate holder's newer token died with the family: both must sign in again.
    await refresh(legitimate).expect(401);
    expect(await t.prisma.refreshToken.count({ where: { userId: staff.id, revokedAt: null } })).toBe(0);
    const audit = await t.prisma.auditLog.findFirstOrThrow({ where: { entityId: staff.id, action: 'auth.refresh_token_reused' } });
    expect(audit.after).toMatchObject({ tokensRevoked: 2 });
  });

  it('lets exactly one of two simultaneous refreshes with the same token through, and then ends the session', async () => {
    const staff = await newStaff();
    const { session } = await signIn(staff.email, staff.password);
    const results = await Promise.all([refresh(session), refresh(session)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!;
    await refresh(cookieValue(winner)).expect(401);
  });

  it('refuses a missing, unknown, malformed or expired cookie with 401', async () => {
    await t.http.post('/auth/refresh').expect(401);
    await refresh('x'.repeat(43)).expect(401);
    await t.http.post('/auth/refresh').set('Cookie', 'orderline_session=<script>; other=1').expect(401);
    const staff = await newStaff();
    const { session } = await signIn(staff.email, staff.password);
    await t.prisma.refreshToken.updateMany({ where: { userId: staff.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await refresh(session).expect(401);
  });

  it('signs out: the session ends, the cookie is cleared, and signing out again is harmless', async () => {
    const staff = await newStaff();
    const { session } = await signIn(staff.email, staff.password);
    const res = await t.http.post('/auth/logout').set(withSession(session)).expect(204);
    expect(setCookie(res)).toMatch(/orderline_session=;.*Expires=Thu, 01 Jan 1970/);
    await refresh(session).expect(401);
    expect(await t.prisma.auditLog.count({ where: { entityId: staff.id, action: 'auth.session_ended' } })).toBe(1);
    await t.http.post('/auth/logout').set(withSession(session)).expect(204);
    await t.http.post('/auth/logout').expect(204);
    expect(await t.prisma.auditLog.count({ where: { entityId: staff.id, action: 'auth.session_ended' } })).toBe(1);
  });

  describe('POST /auth/password', () => {
    it('needs a bearer token', async () => {
      await t.http.post('/auth/password').send({ currentPassword: 'password123', newPassword: 'another-pass-1' }).expect(401);
    });

    it('refuses a wrong current password or an unchanged one, and changes nothing', async () => {
      const staff = await newStaff();
      const { accessToken } = await signIn(staff.email, staff.password);
      const before = await t.prisma.user.findUniqueOrThrow({ where: { id: staff.id } });
      const wrong = await t.http
        .post('/auth/password')
        .set(support.bearer(accessToken))
        .send({ currentPassword: 'not-my-password', newPassword: 'another-pass-1' })
        .expect(400);
      expect(wrong.body.details).toEqual([{ field: 'currentPassword', errors: [expect.any(String)] }]);
      const same = await t.http
        .post('/auth/password')
        .set(support.bearer(accessToken))
        .send({ currentPassword: staff.password, newPassword: staff.password })
        .expect(400);
      expect(same.body.details).toEqual([{ field: 'newPassword', errors: [expect.any(String)] }]);
      const short = await t.http
        .post('/auth/password')
        .set(support.bearer(accessToken))
        .send({ currentPassword: staff.password, newPassword: 'short' })
        .expect(400);
      expect(short.body.details.map((d: { field: string }) => d.field)).toEqual(['newPassword']);
      const after = await t.prisma.user.findUniqueOrThrow({ where: { id: staff.id } });
      expect(after.passwordHash).toBe(before.passwordHash);
      expect(await t.prisma.auditLog.count({ where: { entityId: staff.id, action: 'user.password_changed' } })).toBe(0);
    });

    it('changes the password, ends the other sessions but keeps this one, and audits without the passwords', async () => {
      const staff = await newStaff();
      const here = await signIn(staff.email, staff.password);
      const elsewhere = await signIn(staff.email, staff.password);
      await t.http
        .post('/auth/password')
        .set(support.bearer(here.accessToken))
        .set(withSession(here.session))
        .send({ currentPassword: staff.password, newPassword: 'brand-new-pass-7' })
        .expect(204);
      await t.http.post('/auth/login').send({ email: staff.email, password: staff.password }).expect(401);
      await t.http.post('/auth/login').send({ email: staff.email, password: 'brand-new-pass-7' }).expect(200);
      await refresh(elsewhere.session).expect(401);
      await refresh(here.session).expect(200);
      const audit = await t.prisma.auditLog.findFirstOrThrow({ where: { entityId: staff.id, action: 'user.password_changed' } });
      expect(audit.after).toEqual({ sessionsEnded: 1 });
      const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: staff.id } });
      const recorded = JSON.stringify([audit.before, audit.after]);
      expect(recorded).not.toContain('brand-new-pass-7');
      expect(recorded).not.toContain(stored.passwordHash);
    });
  });
});
