import { Writable } from 'node:stream';
import { pino } from 'pino';
import { pinoOptions, redactSecrets, REDACTED } from './logging.js';

class RegisterDto {
  constructor(
    readonly email: string,
    readonly password: string,
  ) {}
}

describe('log redaction', () => {
  it('replaces credentials, tokens, signatures, provider secrets and card data at any depth', () => {
    const headers = Object.assign(Object.create(null), {
      authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
      cookie: 'session=abc',
      'stripe-signature': 't=1,v1=deadbeef',
      'x-razorpay-signature': 'cafebabe',
      'content-type': 'application/json',
    });
    const logged = redactSecrets({
      headers,
      body: new RegisterDto('a@example.com', 'hunter2-hunter2'),
      login: { credentials: [{ password: 'p1' }, { newPassword: 'p2' }] },
      config: {
        STRIPE_SECRET_KEY: 'sk_live_1',
        RAZORPAY_KEY_SECRET: 'rzp_1',
        STRIPE_WEBHOOK_SECRET: 'whsec_1',
        JWT_SECRET: 'j',
        DATABASE_URL: 'postgresql://u:pw@db/x',
        ENCRYPTION_KEY: 'k',
        PORT: 3000,
      },
      payment: { card: { number: '4242424242424242', cvc: '123' }, cardNumber: '4111', amountMinor: 1000 },
      response: { accessToken: 'eyJ.x.y', client_secret: 'pi_1_secret_2', api_key: 'k', tokenType: 'Bearer' },
    }) as any;
    expect(logged.headers).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      'stripe-signature': REDACTED,
      'x-razorpay-signature': REDACTED,
      'content-type': 'application/json',
    });
    expect(logged.body).toEqual({ email: 'a@example.com', password: REDACTED });
    expect(logged.login.credentials).toEqual([{ password: REDACTED }, { newPassword: REDACTED }]);
    expect(logged.config).toEqual({
      STRIPE_SECRET_KEY: REDACTED,
      RAZORPAY_KEY_SECRET: REDACTED,
      STRIPE_WEBHOOK_SECRET: REDACTED,
      JWT_SECRET: REDACTED,
      DATABASE_URL: REDACTED,
      ENCRYPTION_KEY: REDACTED,
      PORT: 3000,
    });
    expect(logged.payment).toEqual({ card: REDACTED, cardNumber: REDACTED, amountMinor: 1000 });
    expect(logged.response).toEqual({ accessToken: REDACTED, client_secret: REDACTED, api_key: REDACTED, tokenType: REDACTED });
  });

  it('leaves errors, dates and buffers to the serializers and cuts objects that are too deep', () => {
    const error = new Error('boom');
    const when = new Date(0);
    const logged = redactSecrets({ err: error, at: when, raw: Buffer.from('x') }) as any;
    expect(logged.err).toBe(error);
    expect(logged.at).toBe(when);
    let deep: any = { password: 'too-deep' };
    for (let i = 0; i < 12; i++) deep = { next: deep };
    expect(JSON.stringify(redactSecrets(deep))).not.toContain('too-deep');
  });

  it('writes JSON lines without the secrets through the configured pino logger', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino(pinoOptions('info'), sink);
    logger.info({ req: { headers: { authorization: 'Bearer top-secret-token' } }, attempt: { password: 'pa55word' } }, 'login failed');
    logger.child({ reqId: 'r-1' }).warn({ provider: { webhookSecret: 'whsec_child' } }, 'from a request');
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({
      level: 'info',
      service: 'orderline',
      msg: 'login failed',
      req: { headers: { authorization: REDACTED } },
      attempt: { password: REDACTED },
    });
    expect(typeof first.time).toBe('string');
    expect(second).toMatchObject({ level: 'warn', reqId: 'r-1', provider: { webhookSecret: REDACTED } });
    expect(lines.join('')).not.toMatch(/top-secret-token|pa55word|whsec_child/);
  });
});
