import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchRoute, nowSeconds, readRequest, send, SimError, type Route, type SimRequest } from './http-kit.js';
import { StripeSimulator, stripeSignature, type StripeEvent, type StripeSimConfig } from './stripe-simulator.js';
import { RazorpaySimulator, razorpayWebhookSignature, type RazorpayEvent, type RazorpaySimConfig } from './razorpay-simulator.js';
import { acmePaySignature, AcmePaySimulator, type AcmePayEvent, type AcmePaySimConfig } from './acmepay-simulator.js';

export type SimEvent = StripeEvent | RazorpayEvent | AcmePayEvent;

export interface ProviderSimulatorOptions {
  stripe?: Partial<StripeSimConfig>;
  razorpay?: Partial<RazorpaySimConfig>;
  acmepay?: Partial<AcmePaySimConfig>;
  port?: number;
}

const USER_AGENTS: Record<SimEvent['provider'], string> = {
  stripe: 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
  razorpay: 'Razorpay-Webhook/v1',
  acmepay: 'AcmePay-Webhooks/2',
};

/** A fault injected into the next matching API calls. */
export type Fault =
  | { kind: 'status'; status: number }
  /** The request is processed, then the connection is destroyed before the answer: the caller cannot know it worked. */
  | { kind: 'drop-after-processing' };

export interface DeliveryOptions {
  /** How many times to send the same event (same event id and body). */
  times?: number;
  /** Send the copies at the same time (default) or one after another. */
  concurrently?: boolean;
  /** Break the signature: a wrong secret, a body changed after signing, or (Stripe, AcmePay) a timestamp outside the tolerance, past or future. */
  tamper?: 'signature' | 'body' | 'stale-timestamp' | 'future-timestamp';
}

export interface DeliveryResult {
  status: number;
  body: unknown;
}

export interface LoggedRequest {
  method: string;
  path: string;
  idempotencyKey?: string;
  status: number;
}

/**
 * A local Stripe + Razorpay (+ AcmePay, the test-only provider): answers exactly the API endpoints Orderline's adapters call (through the real SDKs),
 * keeps their objects in memory, plays the customer's side of a payment, and sends webhooks signed as the providers
 * sign them — once, several times, concurrently, in any order, or with broken signatures. Also runnable on its own
 * (see main.ts) with an HTTP control API under /_sim.
 */
export class ProviderSimulator {
  readonly stripe: StripeSimulator;
  readonly razorpay: RazorpaySimulator;
  readonly acmepay: AcmePaySimulator;
  /** Every provider API call received, in order. */
  readonly requests: LoggedRequest[] = [];
  /** Where webhooks go (the app's /webhooks/<provider>). */
  readonly webhookUrls: Partial<Record<SimEvent['provider'], string>> = {};
  private readonly faults: { method: string; pattern: string; fault: Fault; remaining: number }[] = [];
  private readonly routes: (Route & { provider: SimEvent['provider'] | 'control' })[];
  private server?: Server;

  constructor(options: ProviderSimulatorOptions = {}) {
    this.stripe = new StripeSimulator({
      secretKey: 'sk_test_simulator',
      publishableKey: 'pk_test_simulator',
      webhookSecret: 'whsec_simulator',
      ...options.stripe,
    });
    this.razorpay = new RazorpaySimulator({
      keyId: 'rzp_test_simulator',
      keySecret: 'rzp_secret_simulator',
      webhookSecret: 'rzp_whsec_simulator',
      ...options.razorpay,
    });
    this.acmepay = new AcmePaySimulator({ apiKey: 'ak_test_simulator', webhookSecret: 'acme_whsec_simulator', ...options.acmepay });
    this.routes = [
      ...this.stripe.routes().map((r) => ({ ...r, provider: 'stripe' as const })),
      ...this.razorpay.routes().map((r) => ({ ...r, provider: 'razorpay' as const })),
      ...this.acmepay.routes().map((r) => ({ ...r, provider: 'acmepay' as const })),
      ...this.controlRoutes().map((r) => ({ ...r, provider: 'control' as const })),
    ];
  }

  static async start(options: ProviderSimulatorOptions = {}): Promise<ProviderSimulator> {
    const simulator = new ProviderSimulator(options);
    await simulator.listen(options.port ?? 0);
    return simulator;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('simulator is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The environment that points Orderline at this simulator with matching credentials. */
  env(): Record<string, string> {
    return {
      STRIPE_API_BASE: this.url,
      STRIPE_SECRET_KEY: this.stripe.config.secretKey,
      STRIPE_PUBLISHABLE_KEY: this.stripe.config.publishableKey,
      STRIPE_WEBHOOK_SECRET: this.stripe.config.webhookSecret,
      RAZORPAY_API_BASE: this.url,
      RAZORPAY_KEY_ID: this.razorpay.config.keyId,
      RAZORPAY_KEY_SECRET: this.razorpay.config.keySecret,
      RAZORPAY_WEBHOOK_SECRET: this.razorpay.config.webhookSecret,
      ACMEPAY_API_BASE: `${this.url}/acme`,
      ACMEPAY_API_KEY: this.acmepay.config.apiKey,
      ACMEPAY_WEBHOOK_SECRET: this.acmepay.config.webhookSecret,
    };
  }

  /** Sends every provider's webhooks to `appBaseUrl`/webhooks/<provider>. */
  targetApp(appBaseUrl: string): void {
    for (const provider of ['stripe', 'razorpay', 'acmepay'] as const) this.webhookUrls[provider] = `${appBaseUrl}/webhooks/${provider}`;
  }

  /** The next `times` calls to `METHOD /pattern` (e.g. 'POST /v1/refunds') get `fault`. */
  injectFault(route: string, fault: Fault, times = 1): void {
    const [method, pattern] = route.split(' ');
    this.faults.push({ method, pattern, fault, remaining: times });
  }

  /** Calls made to one endpoint pattern, e.g. 'POST /v1/payment_intents'. */
  callsTo(route: string): LoggedRequest[] {
    const [method, pattern] = route.split(' ');
    return this.requests.filter((r) => r.method === method && matchRoute(pattern, r.path));
  }

  /** Delivers one event the way the provider would (signed now); redelivery keeps the event id and body. */
  async deliver(event: SimEvent, options: DeliveryOptions = {}): Promise<DeliveryResult[]> {
    const times = options.times ?? 1;
    const once = () => this.post(event, options.tamper);
    if (options.concurrently ?? true) return Promise.all(Array.from({ length: times }, once));
    const results: DeliveryResult[] = [];
    for (let i = 0; i < times; i++) results.push(await once());
    return results;
  }

  /** Delivers events one after another in the given order ('reversed' for out-of-order delivery). */
  async deliverAll(events: SimEvent[], order: 'as-is' | 'reversed' = 'as-is'): Promise<DeliveryResult[]> {
    const sequence = order === 'reversed' ? [...events].reverse() : events;
    const results: DeliveryResult[] = [];
    for (const event of sequence) results.push(...(await this.deliver(event)));
    return results;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async post(event: SimEvent, tamper: DeliveryOptions['tamper']): Promise<DeliveryResult> {
    const url = this.webhookUrls[event.provider];
    if (!url) throw new Error(`no webhook URL for ${event.provider}: call targetApp() first`);
    const body = tamper === 'body' ? event.body.replace(/"amount":\s*(\d+)/, (_m, n) => `"amount": ${Number(n) + 1}`) : event.body;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENTS[event.provider] };
    const timestamp = nowSeconds() + (tamper === 'stale-timestamp' ? -3600 : tamper === 'future-timestamp' ? 3600 : 0);
    if (event.provider === 'stripe') {
      headers['Stripe-Signature'] =
        tamper === 'signature' ? stripeSignature('whsec_not_the_secret', event.body, timestamp) : this.stripe.sign(event.body, timestamp);
    } else if (event.provider === 'razorpay') {
      headers['X-Razorpay-Signature'] =
        tamper === 'signature' ? razorpayWebhookSignature('not_the_secret', event.body) : this.razorpay.sign(event.body);
      headers['X-Razorpay-Event-Id'] = event.id;
    } else {
      headers['Acme-Signature'] =
        tamper === 'signature' ? acmePaySignature('not_the_secret', event.body, timestamp) : this.acmepay.sign(event.body, timestamp);
    }
    const response = await fetch(url, { method: 'POST', headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* keep the text */
    }
    return { status: response.status, body: parsed };
  }

  private listen(port: number): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let request: SimRequest;
    try {
      request = await readRequest(req);
    } catch {
      send(res, { status: 400, body: { error: { message: 'unreadable request' } } });
      return;
    }
    const found = this.routes
      .map((route) => ({ route, params: route.method === request.method ? matchRoute(route.pattern, request.path) : undefined }))
      .find((m) => m.params);
    if (!found) {
      send(res, {
        status: 404,
        body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${request.method}: ${request.path})` } },
      });
      return;
    }
    const { route, params } = found;
    const log: LoggedRequest = {
      method: request.method,
      path: request.path,
      status: 0,
      idempotencyKey: (request.headers['idempotency-key'] ?? request.headers['x-refund-idempotency']) as string | undefined,
    };
    if (route.provider !== 'control') this.requests.push(log);
    const denied = route.provider === 'control' ? undefined : this[route.provider].authorize(request);
    if (denied) {
      log.status = denied.status;
      send(res, denied);
      return;
    }
    const faultIndex = this.faults.findIndex((f) => f.method === request.method && matchRoute(f.pattern, request.path) && f.remaining > 0);
    const fault = faultIndex >= 0 ? this.faults[faultIndex].fault : undefined;
    if (faultIndex >= 0 && --this.faults[faultIndex].remaining === 0) this.faults.splice(faultIndex, 1);
    if (fault?.kind === 'status') {
      log.status = fault.status;
      send(res, {
        status: fault.status,
        body: {
          error: {
            type: 'api_error',
            code: 'SERVER_ERROR',
            message: 'Simulated provider failure',
            description: 'Simulated provider failure',
          },
        },
      });
      return;
    }
    let response;
    try {
      response = await route.handle(request, params!);
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      response = { status: error.status, body: error.body };
    }
    log.status = response.status;
    if (fault?.kind === 'drop-after-processing') {
      res.destroy();
      return;
    }
    send(res, response);
  }

  private allEvents(): SimEvent[] {
    return [...this.stripe.events, ...this.razorpay.events, ...this.acmepay.events];
  }

  /** /_sim control API for running the simulator as a separate process (benchmarks, manual testing). */
  private controlRoutes(): Route[] {
    const event = (id: string) => {
      const found = this.allEvents().find((e) => e.id === id);
      if (!found) throw new SimError(404, { error: { message: `no event ${id}` } });
      return found;
    };
    const summary = (events: SimEvent[]) => events.map((e) => ({ id: e.id, provider: e.provider, type: e.type }));
    return [
      {
        method: 'POST',
        pattern: '/_sim/webhook-target',
        handle: (req) => {
          this.targetApp(String(req.body.appBaseUrl));
          return { status: 200, body: this.webhookUrls };
        },
      },
      {
        method: 'POST',
        pattern: '/_sim/stripe/payment_intents/:id/pay',
        handle: (req, p) => ({ status: 200, body: summary(this.stripe.pay(p.id, req.body)) }),
      },
      {
        method: 'POST',
        pattern: '/_sim/razorpay/orders/:id/pay',
        handle: (req, p) => {
          const paid = this.razorpay.pay(p.id, req.body);
          return { status: 200, body: { payment: paid.payment, handler: paid.handler, events: summary(paid.events) } };
        },
      },
      { method: 'GET', pattern: '/_sim/events', handle: () => ({ status: 200, body: summary(this.allEvents()) }) },
      {
        method: 'POST',
        pattern: '/_sim/events/:id/deliver',
        handle: async (req, p) => ({ status: 200, body: await this.deliver(event(p.id), req.body) }),
      },
    ];
  }
}
