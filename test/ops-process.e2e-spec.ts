import http from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { buildApp, startAppProcess, type AppProcess } from './support/app-process.js';
import { sleep, uniqueEmail } from './support/helpers.js';

/**
 * The built app as the production process: JSON request logs on stdout (with secrets redacted), and SIGTERM
 * handling (in-flight requests finish, new connections are refused, the process exits 0).
 */

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A POST whose body is sent in two parts, so the test decides when the request finishes. */
function slowPost(app: AppProcess, path: string, payload: object, headers: Record<string, string> = {}) {
  const body = Buffer.from(JSON.stringify(payload));
  const req = http.request({
    host: '127.0.0.1',
    port: app.port,
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers },
  });
  const response = new Promise<RawResponse>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.once('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
  });
  req.flushHeaders();
  req.write(body.subarray(0, 10));
  return { response, finish: () => req.end(body.subarray(10)) };
}

describe('the production process', () => {
  let db: pg.Client;
  const started: AppProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startAppProcess(env);
    started.push(app);
    return app;
  };

  beforeAll(async () => {
    await buildApp();
    db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(started.map((app) => app.signal('SIGKILL')));
    await db?.end();
  });

  it('logs one JSON line per request with method, route, status, duration and request id, and redacts secrets', async () => {
    const app = await start({ LOG_LEVEL: 'debug', LOG_REQUESTS: 'true' });
    const password = `Pw-${randomUUID()}`;
    const email = uniqueEmail('logged');
    const registerId = `reg-${randomUUID()}`;
    const registered = await fetch(`${app.baseUrl}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': registerId },
      body: JSON.stringify({ email, password, name: 'Logged' }),
    });
    expect(registered.status).toBe(201);
    const { accessToken } = (await registered.json()) as { accessToken: string };

    const loginId = `login-${randomUUID()}`;
    const secrets = { cookie: `session=${randomUUID()}`, stripe: `t=1,v1=${randomUUID()}`, razorpay: randomUUID() };
    const login = await fetch(`${app.baseUrl}/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': loginId,
        authorization: `Bearer ${accessToken}`,
        cookie: secrets.cookie,
        'stripe-signature': secrets.stripe,
        'x-razorpay-signature': secrets.razorpay,
      },
      body: JSON.stringify({ email, password: `${password}-wrong` }),
    });
    expect(login.status).toBe(401);
    const me = await fetch(`${app.baseUrl}/auth/me?token=${accessToken}`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    const meId = me.headers.get('x-request-id');

    const loginLine = await app.waitForLog((l) => l.reqId === loginId && l.msg === 'request completed');
    expect(loginLine).toMatchObject({
      level: 'warn',
      method: 'POST',
      route: '/auth/login',
      path: '/auth/login',
      status: 401,
      service: 'orderline',
    });
    expect(typeof loginLine.durationMs).toBe('number');
    expect(loginLine.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: '[REDACTED]',
      cookie: '[REDACTED]',
      'stripe-signature': '[REDACTED]',
      'x-razorpay-signature': '[REDACTED]',
    });
    expect(await app.waitForLog((l) => l.reqId === registerId)).toMatchObject({
      level: 'info',
      method: 'POST',
      route: '/auth/register',
      status: 201,
    });
    // The query string (which may carry a token) is not logged; the route is the pattern.
    expect(await app.waitForLog((l) => l.reqId === meId)).toMatchObject({
      method: 'GET',
      route: '/auth/me',
      path: '/auth/me',
      status: 200,
    });

    await app.signal('SIGTERM');
    const everything = app.lines.join('\n');
    for (const secret of [password, accessToken, secrets.cookie, secrets.stripe, secrets.razorpay])
      expect(everything).not.toContain(secret);
    for (const id of [registerId, loginId, meId])
      expect(app.logs().filter((l) => l.reqId === id && l.msg === 'request completed')).toHaveLength(1);
  });

  it('keeps request ids without request lines when LOG_REQUESTS=false', async () => {
    const app = await start({ LOG_LEVEL: 'info', LOG_REQUESTS: 'false' });
    const res = await fetch(`${app.baseUrl}/health`, { headers: { 'x-request-id': 'quiet-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('quiet-1');
    await app.signal('SIGTERM');
    expect(app.logs().some((l) => l.msg === 'Stopped')).toBe(true);
    expect(app.logs().filter((l) => l.msg === 'request completed')).toHaveLength(0);
  });

  it('on SIGTERM finishes the request in flight, refuses new connections and exits 0', async () => {
    const app = await start({ SHUTDOWN_TIMEOUT_MS: '15000' });
    const email = uniqueEmail('inflight');
    const inFlight = slowPost(app, '/auth/register', { email, password: 'password123', name: 'In Flight' });
    await sleep(300); // the server has the headers and part of the body

    app.child.kill('SIGTERM');
    await app.waitForLog((l) => l.context === 'Shutdown' && /^SIGTERM received: draining 1 request/.test(l.msg));
    await expect(fetch(`${app.baseUrl}/health`)).rejects.toThrow();

    inFlight.finish();
    const res = await inFlight.response;
    expect(res.status).toBe(201);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body).user.email).toBe(email);
    expect(await app.exited).toBe(0);
    expect(app.logs().some((l) => l.msg === 'Stopped')).toBe(true);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
    expect(rows[0].n).toBe(1);
  });

  it('cuts requests still running at SHUTDOWN_TIMEOUT_MS and still exits cleanly', async () => {
    const app = await start({ SHUTDOWN_TIMEOUT_MS: '1000' });
    const email = uniqueEmail('stuck');
    const stuck = slowPost(app, '/auth/register', { email, password: 'password123', name: 'Stuck' });
    const outcome = stuck.response.then(
      () => 'answered',
      () => 'connection closed',
    );
    await sleep(300);
    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const took = Date.now() - signalledAt;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(8_000);
    expect(await outcome).toBe('connection closed');
    expect(app.logs().some((l) => /^Deadline passed: closed 1 unfinished request/.test(l.msg))).toBe(true);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
    expect(rows[0].n).toBe(0);
  });

  /** The exit code once the process has ended ('exit', not 'close': a stdout nobody reads never closes), or a timeout. */
  const exitWithin = (app: AppProcess, ms: number) =>
    new Promise<number | string | null>((resolve) => {
      const timer = setTimeout(() => resolve(`still running after ${ms} ms`), ms);
      app.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve(code ?? signal);
      });
    });

  it('exits on SIGTERM within the grace period when stdout is closed (piped into head)', async () => {
    const app = await start({ SHUTDOWN_TIMEOUT_MS: '2000', LOG_REQUESTS: 'true' });
    app.child.stdout!.destroy(); // the reader is gone: every log line now meets a broken pipe
    for (let i = 0; i < 5; i++) expect((await fetch(`${app.baseUrl}/health`)).status).toBe(200);
    const exited = exitWithin(app, 8_000);
    app.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits on SIGTERM within the grace period when nothing reads stdout any more (a stalled log collector)', async () => {
    const app = await start({ SHUTDOWN_TIMEOUT_MS: '2000', LOG_LEVEL: 'debug', LOG_REQUESTS: 'true' });
    app.child.stdout!.pause(); // still open, never read again: the pipe fills up
    try {
      // Request lines at debug level carry the headers: a few hundred of them are more than the pipe holds.
      const padding = 'x'.repeat(2_000);
      for (let i = 0; i < 600; i += 50) {
        const statuses = await Promise.all(
          Array.from({ length: 50 }, () => fetch(`${app.baseUrl}/health`, { headers: { 'x-padding': padding } }).then((r) => r.status)),
        );
        expect(statuses.every((s) => s === 200)).toBe(true);
      }
      const exited = exitWithin(app, 8_000);
      app.child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      app.child.kill('SIGKILL');
      app.child.stdout!.resume(); // so the process's output can end and afterAll's stop returns
    }
  });
});
