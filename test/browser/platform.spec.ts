import { randomUUID } from 'node:crypto';
import { createOrderlineClient, unwrap, type OrderlineClient } from '@orderline/client';
import { createScratchDatabase, type ScratchDatabase } from '../setup/test-database.js';
import { AppProcess } from '../support/app-process.js';
import { ADMIN, bearer, expect, test, uniquePhone } from './support.js';
import { fillCheckout, stubImages } from './shop-support.js';

/**
 * Platform mode in the browser. The shared app of the other files is a single-brand install (as most are), so this
 * file starts its own: the same built app with PLATFORM_MODE=true on a scratch database of its own, both gone when
 * the file ends. A second brand signs up through the API; its storefront under /b/<slug> shows its products only, a
 * checkout there makes an order of that brand, and that brand's console (under the same prefix) lists it — the
 * default brand's console does not.
 */
let database: ScratchDatabase;
let app: AppProcess;
let brand: { slug: string; token: string; owner: { email: string; password: string } };
let product: { name: string; slug: string };

const client = (): OrderlineClient => createOrderlineClient({ baseUrl: app.baseUrl });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  database = await createScratchDatabase('orderline_browser_platform');
  app = await AppProcess.start({
    databaseUrl: database.url,
    startTimeoutSeconds: 120,
    env: { PLATFORM_MODE: 'true', SEED_DEMO_DATA: 'true', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
  });
  const tag = randomUUID().slice(0, 6);
  const owner = { email: `owner-${tag}@second.example`, password: 'second-brand-pass-1' };
  const signedUp = await unwrap(
    client().POST('/auth/register', { body: { ...owner, name: 'Second Owner', brandName: `Second Brand ${tag}` } as never }),
  );
  const profile = await unwrap(client().GET('/brand', { headers: bearer(signedUp.accessToken) }));
  brand = { slug: profile.slug, token: signedUp.accessToken, owner };
  const created = await unwrap(
    createOrderlineClient({ baseUrl: `${app.baseUrl}/b/${brand.slug}` }).POST('/products', {
      headers: bearer(brand.token),
      body: {
        name: `Second Brand Tote ${tag}`,
        description: 'A tote only the second brand sells.',
        images: [`https://images.example.com/${tag}.jpg`],
        variants: [
          {
            sku: `TOTE-${tag}`,
            name: 'One size',
            attributes: { size: 'One size' } as never,
            priceMinor: 79900,
            currency: 'INR',
            initialStock: 5,
          },
        ],
      },
    }),
  );
  product = { name: created.name, slug: created.slug };
});

test.afterAll(async () => {
  const exit = await app?.stop();
  await database?.drop();
  if (exit !== undefined && exit !== 0) console.error(`The platform-mode app exited with ${exit}:\n${app.log}`);
});

test.beforeEach(async ({ context }) => {
  await stubImages(context);
});

test('a second brand: its storefront under /b/<slug> sells its products only, and its order is in its console, not the default one', async ({
  page,
  browser,
}) => {
  const base = `${app.baseUrl}/b/${brand.slug}`;
  const defaultProducts = await unwrap(client().GET('/products', {}));
  expect(defaultProducts.items.length).toBeGreaterThan(0);

  await page.goto(`${base}/shop`);
  await expect(page.getByRole('link', { name: product.name })).toBeVisible();
  // The default brand's demo catalogue is not this brand's.
  for (const other of defaultProducts.items.slice(0, 5)) await expect(page.getByText(other.name)).toHaveCount(0);

  await page.getByRole('link', { name: product.name }).click();
  await expect(page).toHaveURL(`${base}/shop/${product.slug}`);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByRole('link', { name: 'View cart and check out' }).click();
  await expect(page).toHaveURL(`${base}/checkout`);
  const buyer = `Platform Buyer ${randomUUID().slice(0, 6)}`;
  await fillCheckout(page, { name: buyer, phone: uniquePhone() });
  await page.getByRole('radio', { name: /^Cash on delivery/ }).check();
  await page.getByRole('button', { name: /^Place order/ }).click();
  await expect(page).toHaveURL(new RegExp(`^${base}/pay/[0-9a-f-]{36}$`));
  await expect(page.getByTestId('order-status')).toHaveText('Thank you — your order is confirmed');
  const number = (await page.getByTestId('order-number').textContent())!;
  const orderId = new URL(page.url()).pathname.split('/').pop()!;
  // The brand's links stay under its prefix.
  await expect(page.getByRole('link', { name: 'Track order' })).toHaveAttribute('href', `/b/${brand.slug}/track`);

  // The brand's console, under its prefix: sign in, the order is listed; a reload of its deep link keeps brand and session.
  await page.goto(`${base}/console/`);
  await expect(page.getByRole('heading', { name: 'Sign in to Orderline' })).toBeVisible();
  await page.getByLabel('Email').fill(brand.owner.email);
  await page.getByLabel('Password').fill(brand.owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`^${base}/console/orders`));
  const listed = page.locator(`[data-order-number="${number}"]`);
  await expect(listed).toContainText(buyer);
  await listed.click();
  await expect(page).toHaveURL(`${base}/console/orders/${orderId}`);
  await page.reload();
  await expect(page.getByRole('complementary').getByRole('heading', { name: number })).toBeVisible();
  await expect(page).toHaveURL(`${base}/console/orders/${orderId}`);

  // The default brand's console (no prefix) does not have it.
  const defaultOrder = await unwrap(
    client().POST('/orders/checkout', {
      body: {
        items: [
          {
            variantId: defaultProducts.items
              .filter((p) => p.purchasable)
              .flatMap((p) => p.variants)
              .find((v) => v.available > 0)!.id,
            quantity: 1,
          },
        ],
        contact: { name: 'Default Brand Buyer', phone: uniquePhone() },
        shippingAddress: { line1: '7 Residency Road', city: 'Bengaluru', postalCode: '560025', country: 'IN' },
        paymentMethod: 'cod',
      },
    }),
  );
  const other = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-IN' });
  try {
    const staff = await other.newPage();
    await staff.goto(`${app.baseUrl}/console/`);
    await staff.getByLabel('Email').fill(ADMIN.email);
    await staff.getByLabel('Password').fill(ADMIN.password);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await expect(staff.locator(`[data-order-number="${defaultOrder.order.number}"]`)).toContainText('Default Brand Buyer');
    await expect(staff.getByText(buyer)).toHaveCount(0);
  } finally {
    await other.close();
  }
});
