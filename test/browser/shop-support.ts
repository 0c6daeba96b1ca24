import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { unwrap, type Schemas } from '@orderline/client';
import type { BrowserContext, Page } from '@playwright/test';
import { adminToken, api, bearer, expect } from './support.js';

/** A product of its own for one test (so tests never share stock), created through the admin API. */
export async function createShopProduct(options: {
  name: string;
  variants: { name: string; priceMinor: number; stock: number; size?: string }[];
  availableFrom?: Date;
  description?: string;
}): Promise<Schemas['ProductResponse']> {
  const tag = randomUUID().slice(0, 8);
  return unwrap(
    api().POST('/products', {
      headers: bearer(await adminToken()),
      body: {
        name: `${options.name} ${tag}`,
        description: options.description ?? `${options.name}, made for this test.`,
        images: [`https://images.example.com/${tag}.jpg`],
        ...(options.availableFrom && { availableFrom: options.availableFrom.toISOString() }),
        variants: options.variants.map((v, i) => ({
          sku: `SHOP-${tag}-${i}`,
          name: v.name,
          attributes: { size: v.size ?? v.name } as never,
          priceMinor: v.priceMinor,
          currency: 'INR',
          initialStock: v.stock,
          lowStockThreshold: 1,
        })),
      },
    }),
  );
}

/** Product photos come from a CDN the test machine cannot reach: a grey square stands in. */
export async function stubImages(context: BrowserContext | Page): Promise<void> {
  await context.route('https://images.example.com/**', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'image/svg+xml',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><rect width="600" height="600" fill="#d5d9e0"/></svg>',
    }),
  );
}

/** The order form, as a customer fills it: phone and no email (it is optional). */
export async function fillCheckout(page: Page, customer: { name: string; phone: string; email?: string }): Promise<void> {
  await page.getByLabel('Full name').fill(customer.name);
  await page.getByLabel('Phone').fill(customer.phone);
  if (customer.email) await page.getByLabel('Email (optional)').fill(customer.email);
  await page.getByLabel('Address', { exact: true }).fill('14 Church Street');
  await page.getByLabel('City').fill('Bengaluru');
  await page.getByLabel('State (optional)').fill('Karnataka');
  await page.getByLabel('PIN code').fill('560001');
}

export async function variantLevel(variantId: string): Promise<{ onHand: number; reserved: number; available: number }> {
  return unwrap(api().GET('/inventory/{variantId}', { params: { path: { variantId } }, headers: bearer(await adminToken()) }));
}

/** SQL on the app's database, for what only time would do (a reservation running out). */
export async function sql(text: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.ORDERLINE_BROWSER_DATABASE_URL });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

export const simulator = () => process.env.ORDERLINE_SIMULATOR_URL!;

export async function simulatorPost(path: string, body: unknown = {}): Promise<any> {
  const res = await fetch(`${simulator()}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

/**
 * Stripe.js, stubbed: the Payment Element is a plain box, and confirmPayment asks the test (`confirm`) what the
 * provider would answer. The real payment happens at the provider simulator, which signs the webhooks.
 */
export async function stubStripe(page: Page, confirm: (clientSecret: string) => Promise<unknown>): Promise<void> {
  await page.exposeFunction('__orderlineTestConfirmStripe', confirm);
  await page.route('https://js.stripe.com/v3/', (route) =>
    route.fulfill({
      contentType: 'application/javascript',
      body: `window.Stripe = function (key) {
        var secret;
        return {
          elements: function (options) {
            secret = options.clientSecret;
            return { create: function () { return {
              mount: function (el) { var box = document.createElement('div'); box.textContent = 'Card number, expiry, CVC (test ' +
                'element for ' + key + ')'; box.setAttribute('data-testid', 'stub-payment-element'); el.appendChild(box); },
              destroy: function () {}
            }; } };
          },
          confirmPayment: function () { return window.__orderlineTestConfirmStripe(secret); }
        };
      };`,
    }),
  );
}

/** Razorpay Checkout, stubbed: open() asks the test (`pay`) for what the sheet's handler receives. */
export async function stubRazorpay(page: Page, pay: (razorpayOrderId: string) => Promise<unknown>): Promise<void> {
  await page.exposeFunction('__orderlineTestPayRazorpay', pay);
  await page.route('https://checkout.razorpay.com/v1/checkout.js', (route) =>
    route.fulfill({
      contentType: 'application/javascript',
      body: `window.Razorpay = function (options) { this.options = options; this.handlers = {}; };
        window.Razorpay.prototype.on = function (name, handler) { this.handlers[name] = handler; };
        window.Razorpay.prototype.open = function () {
          var self = this;
          window.__orderlineTestPayRazorpay(self.options.order_id).then(function (result) {
            if (result && result.error) self.handlers['payment.failed'] && self.handlers['payment.failed'](result);
            else self.options.handler(result);
          });
        };`,
    }),
  );
}
