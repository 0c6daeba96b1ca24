import jwt from 'jsonwebtoken';
import { startTestApp, registerCustomer, createAdmin, bearer, uniqueEmail, type TestApp } from './support/test-app.js';

describe('auth, guards and the common error shape', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('registers a customer, logs in and reads /auth/me', async () => {
    const email = uniqueEmail('reg');
    const reg = await t.http.post('/auth/register').send({ email, password: 'password123', name: 'Asha' }).expect(201);
    expect(reg.body).toMatchObject({ tokenType: 'Bearer', user: { email, role: 'CUSTOMER' } });
    expect(reg.body.user.passwordHash).toBeUndefined();
    const login = await t.http.post('/auth/login').send({ email, password: 'password123' }).expect(200);
    const me = await t.http.get('/auth/me').set(bearer(login.body.accessToken)).expect(200);
    expect(me.body).toMatchObject({ email, role: 'CUSTOMER', name: 'Asha' });
    const stored = await t.prisma.user.findFirstOrThrow({ where: { email } });
    expect(stored.passwordHash).toMatch(/^\$2[aby]\$/);
    expect(stored.passwordHash).not.toContain('password123');
  });

  it('refuses a duplicate email with 409 and a wrong password with 401', async () => {
    const { email } = await registerCustomer(t);
    const dup = await t.http.post('/auth/register').send({ email, password: 'password123', name: 'Again' }).expect(409);
    expect(dup.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.any(String) });
    const bad = await t.http.post('/auth/login').send({ email, password: 'wrong-password' }).expect(401);
    expect(bad.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    await t.http
      .post('/auth/login')
      .send({ email: uniqueEmail('ghost'), password: 'whatever1' })
      .expect(401);
  });

  it('never lets registration create an admin', async () => {
    const email = uniqueEmail('sneaky');
    const res = await t.http.post('/auth/register').send({ email, password: 'password123', name: 'Mallory', role: 'ADMIN' }).expect(400);
    expect(res.body.details).toEqual([{ field: 'role', errors: ['property role should not exist'] }]);
    expect(await t.prisma.user.count({ where: { email } })).toBe(0);
  });

  it('lists every failing field on validation errors', async () => {
    const res = await t.http.post('/auth/register').send({ email: 'not-an-email', password: 'short', extra: 1 }).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const fields = res.body.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['email', 'extra', 'name', 'password']);
    for (const d of res.body.details) expect(d.errors.length).toBeGreaterThan(0);
  });

  it('rejects missing, forged, expired and alg:none tokens with 401', async () => {
    await t.http.get('/auth/me').expect(401);
    const { id, email } = await registerCustomer(t);
    const forged = jwt.sign({ sub: id, email, role: 'ADMIN' }, 'not-the-secret');
    await t.http.get('/auth/me').set(bearer(forged)).expect(401);
    const expired = jwt.sign({ sub: id, email, role: 'CUSTOMER', exp: Math.floor(Date.now() / 1000) - 60 }, process.env.JWT_SECRET!);
    await t.http.get('/auth/me').set(bearer(expired)).expect(401);
    const none = jwt.sign({ sub: id, email, role: 'ADMIN' }, '', { algorithm: 'none' });
    const res = await t.http.get('/auth/me').set(bearer(none)).expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('gives customers 403 on admin routes and lets admins through', async () => {
    const customer = await registerCustomer(t);
    const admin = await createAdmin(t);
    const denied = await t.http.get('/audit').set(bearer(customer.token)).expect(403);
    expect(denied.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    await t.http.get('/audit').expect(401);
    await t.http.get('/audit').set(bearer(admin.token)).expect(200);
  });

  it('answers unknown routes with 404 in the common shape', async () => {
    const res = await t.http.get('/no/such/route').expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.stringContaining('/no/such/route') });
  });

  it('reports health with a database check', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body.info.database.status).toBe('up');
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.http.get('/docs-json').expect(200);
    expect(res.body.paths['/auth/login'].post.responses['200']).toBeDefined();
    expect(res.body.components.securitySchemes.bearer).toBeDefined();
  });
});
