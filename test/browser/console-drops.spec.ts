import { unwrap } from '@orderline/client';
import type { Page } from '@playwright/test';
import { adminToken, api, bearer, expect, screenshots, signIn, test, uniquePhone } from './support.js';

/** "2026-12-04T20:00" in the browser's time zone, what a datetime-local field takes. */
function localInput(page: Page, date: Date): Promise<string> {
  return page.evaluate((ms) => {
    const d = new Date(ms);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }, date.getTime());
}

test.describe('console: drops', () => {
  // The drop's product ends the test unsellable; the catalogue already says so (purchasable: false once its drop ended),
  // so other files' checkouts, which take the first purchasable product, pass it by. Archiving it only tidies up.
  let productId: string | undefined;
  test.afterAll(async () => {
    if (!productId) return;
    await unwrap(
      api().PATCH('/products/{id}', {
        headers: bearer(await adminToken()),
        params: { path: { id: productId } },
        body: { status: 'ARCHIVED' },
      }),
    );
  });

  test('schedules a drop with a countdown, uploads the early-access list, watches it sell and ends it early', async ({ page }) => {
    const token = await adminToken();
    const sku = `DROP-${Date.now().toString(36)}`.toUpperCase();
    const product = await unwrap(
      api().POST('/products', {
        headers: bearer(token),
        body: { name: `Linen Shirt ${sku}`, variants: [{ sku, name: 'Sand', priceMinor: 249900, currency: 'INR', initialStock: 30 }] },
      }),
    );
    productId = product.id;
    const opensAt = new Date(Date.now() + 2 * 3600_000);

    await signIn(page);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Drops' }).click();
    await page.getByRole('button', { name: 'New drop' }).click();
    const form = page.getByRole('form', { name: 'New drop' });
    await form.getByLabel('Name').fill(`Friday ${sku}`);
    await form.getByLabel('Opens to everyone at').fill(await localInput(page, opensAt));
    await form.getByLabel('Units per customer').fill('2');
    await form.getByLabel(product.name).check();
    await form.getByRole('button', { name: 'Schedule drop' }).click();

    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Friday ${sku}`);
    await expect(page.getByRole('region', { name: 'Drop state' })).toContainText('Scheduled');
    // The countdown ticks on the server's clock: about two hours to go.
    await expect(page.getByTestId('countdown')).toContainText(/in 0[12]:[0-5]\d:[0-5]\d/);
    const first = await page.getByTestId('countdown').textContent();
    await expect(page.getByTestId('countdown')).not.toHaveText(first ?? '');
    await expect(page.getByTestId('drop-remaining')).toHaveText('30');
    await screenshots(page, 'drop-scheduled');

    const listed = uniquePhone();
    await page.getByLabel(/Upload early-access list/).setInputFiles({
      name: 'vip.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`name,phone,email\nAsha,${listed},\nRavi,,ravi@example.com\n`),
    });
    await expect(page.getByRole('status')).toContainText('2 added to the early-access list (2 in all).');
    await expect(page.getByTestId('drop-access-list')).toHaveText('2');

    // A buyer tapping early hears when it opens; once it opens, a sale shows up on the page without a reload.
    const dropId = page.url().split('/').pop()!;
    const body = {
      items: [{ variantId: product.variants[0].id, quantity: 1 }],
      contact: { name: 'Early Tapper', phone: uniquePhone() },
      shippingAddress: { line1: '7 Residency Road', city: 'Bengaluru', postalCode: '560025', country: 'IN' },
      paymentMethod: 'cod' as const,
    };
    const early = await api().POST('/orders/checkout', { body });
    expect(early.response.status).toBe(409);
    expect(early.error).toMatchObject({
      details: { code: 'DROP_NOT_OPEN', opensAt: new Date(Math.floor(opensAt.getTime() / 60_000) * 60_000).toISOString() },
    });
    await unwrap(
      api().PATCH('/admin/drops/{id}', {
        headers: bearer(token),
        params: { path: { id: dropId } },
        body: { startsAt: new Date(Date.now() - 1000).toISOString() },
      }),
    );
    await unwrap(api().POST('/orders/checkout', { body }));
    await expect(page.getByRole('region', { name: 'Drop state' })).toContainText('Open');
    await expect(page.getByTestId('drop-sold')).toHaveText('1');
    await expect(page.getByTestId('drop-remaining')).toHaveText('29');
    await screenshots(page, 'drop-open');

    await page.getByRole('button', { name: 'End drop now…' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText('29 units stay unsold');
    await dialog.getByRole('button', { name: 'End drop' }).click();
    await expect(page.getByRole('status')).toContainText('The drop has ended');
    await expect(page.getByRole('region', { name: 'Drop state' })).toContainText('Ended');
    const late = await api().POST('/orders/checkout', { body: { ...body, contact: { ...body.contact, phone: uniquePhone() } } });
    expect(late.response.status).toBe(409);
    expect(late.error).toMatchObject({ details: { code: 'DROP_ENDED' } });
  });
});
