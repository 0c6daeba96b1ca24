import bcrypt from 'bcrypt';
import { startTestApp, createAdmin, registerCustomer, bearer, uniqueEmail, type TestApp } from './support/test-app.js';

/** Staff accounts: the owner adds, disables, enables and resets admins; other admins only see the list. */
describe('staff accounts', () => {
  let t: TestApp;
  let owner: { token: string; id: string };
  let admin: { token: string; id: string };
  beforeAll(async () => {
    t = await startTestApp();
    owner = await createAdmin(t);
    await t.prisma.user.update({ where: { id: owner.id }, data: { owner: true } });
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (email: string, password: string) => t.http.post('/auth/login').send({ email, password });

  it('lets the owner add an admin who can then sign in; audited without the password', async () => {
    const email = uniqueEmail('staff');
    const res = await t.http
      .post('/admin/staff')
      .set(bearer(owner.token))
      .send({ email, name: 'Priya', password: 'first-pass-123' })
      .expect(201);
    expect(res.body).toMatchObject({ email, name: 'Priya', owner: false, disabledAt: null });
    const signedIn = await login(email, 'first-pass-123').expect(200);
    expect(signedIn.body.user).toMatchObject({ role: 'ADMIN', owner: false });
    const audit = await t.prisma.auditLog.findFirstOrThrow({ where: { entityId: res.body.id, action: 'user.admin_created' } });
    expect(audit.actorId).toBe(owner.id);
    expect(JSON.stringify([audit.before, audit.after])).not.toContain('first-pass-123');

    const list = await t.http.get('/admin/staff').set(bearer(admin.token)).expect(200);
    expect(list.body.map((s: { email: string }) => s.email)).toContain(email);
    await t.http.post('/admin/staff').set(bearer(owner.token)).send({ email, name: 'Again', password: 'first-pass-123' }).expect(409);
    const bad = await t.http.post('/admin/staff').set(bearer(owner.token)).send({ email: 'nope', name: '', password: 'short' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'name', 'password']);
  });

  it('refuses every staff change by an admin who is not the owner, and changes nothing', async () => {
    const before = await t.prisma.user.count();
    const res = await t.http
      .post('/admin/staff')
      .set(bearer(admin.token))
      .send({ email: uniqueEmail('sneaky'), name: 'Sneaky', password: 'sneaky-pass-1' })
      .expect(403);
    expect(res.body.message).toBe('Only the brand owner can manage staff accounts');
    await t.http.post(`/admin/staff/${owner.id}/disable`).set(bearer(admin.token)).expect(403);
    await t.http.post(`/admin/staff/${owner.id}/password`).set(bearer(admin.token)).send({ password: 'taken-over-1' }).expect(403);
    expect(await t.prisma.user.count()).toBe(before);
    const customer = await registerCustomer(t);
    await t.http.get('/admin/staff').set(bearer(customer.token)).expect(403);
  });

  it('disables an admin: their token stops working at once, sign-in is refused; enabling lets them back', async () => {
    const email = uniqueEmail('leaver');
    const { body: member } = await t.http
      .post('/admin/staff')
      .set(bearer(owner.token))
      .send({ email, name: 'Leaver', password: 'leaver-pass-1' })
      .expect(201);
    const token = (await login(email, 'leaver-pass-1').expect(200)).body.accessToken as string;
    await t.http.get('/orders').set(bearer(token)).expect(200);

    const disabled = await t.http.post(`/admin/staff/${member.id}/disable`).set(bearer(owner.token)).expect(200);
    expect(disabled.body.disabledAt).not.toBeNull();
    await t.http.get('/orders').set(bearer(token)).expect(401);
    expect((await login(email, 'leaver-pass-1').expect(401)).body.message).toContain('disabled');
    await t.http.post(`/admin/staff/${member.id}/enable`).set(bearer(owner.token)).expect(200);
    await login(email, 'leaver-pass-1').expect(200);
    const actions = (await t.prisma.auditLog.findMany({ where: { entityId: member.id }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['user.admin_created', 'user.disabled', 'user.enabled']);
  });

  it("resets an admin's password, ending their sessions; never the owner's own or another owner's account", async () => {
    const email = uniqueEmail('forgetful');
    const { body: member } = await t.http
      .post('/admin/staff')
      .set(bearer(owner.token))
      .send({ email, name: 'Forgetful', password: 'old-pass-123' })
      .expect(201);
    const session = await t.http.post('/auth/login').send({ email, password: 'old-pass-123', refreshCookie: true }).expect(200);
    const cookie = session.headers['set-cookie'];
    await t.http.post(`/admin/staff/${member.id}/password`).set(bearer(owner.token)).send({ password: 'new-pass-456' }).expect(200);
    await login(email, 'old-pass-123').expect(401);
    await login(email, 'new-pass-456').expect(200);
    await t.http.post('/auth/refresh').set('Cookie', cookie).expect(401);
    const stored = await t.prisma.user.findUniqueOrThrow({ where: { id: member.id } });
    expect(await bcrypt.compare('new-pass-456', stored.passwordHash)).toBe(true);

    await t.http.post(`/admin/staff/${owner.id}/disable`).set(bearer(owner.token)).expect(409);
    await t.http.post(`/admin/staff/${owner.id}/password`).set(bearer(owner.token)).send({ password: 'whatever-123' }).expect(409);
    await t.http.post('/admin/staff/not-a-uuid/disable').set(bearer(owner.token)).expect(400);
    await t.http
      .post(`/admin/staff/${(await registerCustomer(t)).id}/disable`)
      .set(bearer(owner.token))
      .expect(404);
  });
});
