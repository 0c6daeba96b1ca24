import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcrypt';
import pg from 'pg';
import { test as base, expect, type Page } from '@playwright/test';
import { createOrderlineClient, unwrap, type Schemas } from '@orderline/client';

/** The first-start admin account, as an operator would set it with ADMIN_EMAIL and ADMIN_PASSWORD. */
export const ADMIN = { email: 'owner@brand.example', password: 'first-start-pass-1' };

const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');

const baseUrl = () => {
  const url = process.env.ORDERLINE_BROWSER_URL;
  if (!url) throw new Error('ORDERLINE_BROWSER_URL is not set: run through npm run test:browser');
  return url;
};

/** The typed API client (the same package the console uses), for setting up and checking what the browser did. */
export const api = () => createOrderlineClient({ baseUrl: baseUrl() });

export async function adminToken(credentials = ADMIN): Promise<string> {
  return (await unwrap(api().POST('/auth/login', { body: credentials }))).accessToken;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A phone number no other test uses, so a search for it finds exactly one order. */
export const uniquePhone = () => `+9198${String(randomInt(10_000_000, 99_999_999))}`;

/** A guest checkout of the first demo product's first variant with stock; returns the order and payment instructions. */
export async function placeOrder(options: { paymentMethod: 'cod' | 'stripe' | 'razorpay'; phone?: string; quantity?: number }) {
  const client = api();
  const products = await unwrap(client.GET('/products', { params: { query: { limit: 20 as never } } }));
  const variant = products.items
    .filter((p) => p.purchasable)
    .flatMap((p) => p.variants)
    .find((v) => v.active && v.available >= (options.quantity ?? 1));
  if (!variant) throw new Error('no demo variant in stock');
  const phone = options.phone ?? uniquePhone();
  const tag = phone.slice(-6);
  const placed = await unwrap(
    client.POST('/orders/checkout', {
      body: {
        items: [{ variantId: variant.id, quantity: options.quantity ?? 1 }],
        contact: { name: `Browser Buyer ${tag}`, email: `buyer-${tag}@example.com`, phone },
        shippingAddress: { line1: '7 Residency Road', city: 'Bengaluru', state: 'Karnataka', postalCode: '560025', country: 'IN' },
        paymentMethod: options.paymentMethod,
      },
    }),
  );
  return { ...placed, phone };
}

/** The customer pays a Stripe order at the provider simulator, which sends the signed webhook; resolves once paid. */
export async function payWithStripe(order: Schemas['OrderResponse'], paymentIntentId: string): Promise<void> {
  const sim = process.env.ORDERLINE_SIMULATOR_URL!;
  const pay = await fetch(`${sim}/_sim/stripe/payment_intents/${paymentIntentId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(pay.status).toBe(200);
  const events = (await pay.json()) as { id: string; type: string }[];
  const succeeded = events.find((e) => e.type === 'payment_intent.succeeded');
  expect(succeeded).toBeDefined();
  const delivered = await fetch(`${sim}/_sim/events/${succeeded!.id}/deliver`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(delivered.status).toBe(200);
  const token = await adminToken();
  await expect
    .poll(
      async () =>
        (await unwrap(api().GET('/orders/{id}', { params: { path: { id: order.id }, header: {} as never }, headers: bearer(token) })))
          .status,
    )
    .toBe('PAID');
}

/** Another staff account, made directly in the database as an operator would (admins cannot self-register). */
export async function createStaff(email: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.ORDERLINE_BROWSER_DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (id, email, password_hash, name, role, updated_at) VALUES (gen_random_uuid(), $1, $2, 'Second Admin', 'ADMIN', now())`,
      [email, await bcrypt.hash(password, 4)],
    );
  } finally {
    await client.end();
  }
}

export async function signIn(page: Page, credentials = ADMIN): Promise<void> {
  await page.goto('/console/');
  await expect(page.getByRole('heading', { name: 'Sign in to Orderline' })).toBeVisible();
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Orders', exact: true })).toBeVisible();
}

/** Saves the screen at phone (360 px) and desktop (1280 px) width for review, ending at desktop width. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    // Layout settles after the resize (media queries, sticky headers) before the picture.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
}

/**
 * Every browser test fails on an uncaught page error or a Content Security Policy violation: the console must run
 * under the app's policy (script-src 'self', style-src 'self') without one refusal.
 */
export const test = base.extend<{ pageProblems: string[] }>({
  pageProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
      });
      await use(problems);
      expect(problems).toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
