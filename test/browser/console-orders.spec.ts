import { readFile } from 'node:fs/promises';
import { unwrap } from '@orderline/client';
import { adminToken, api, bearer, expect, placeOrder, screenshots, signIn, test } from './support.js';

const orderStatus = async (id: string) =>
  (await unwrap(api().GET('/orders/{id}', { params: { path: { id } }, headers: bearer(await adminToken()) }))).status;

test.describe('console: order list at work', () => {
  test('bulk-fulfils 3 orders picked with a click and a shift-click, in one API call, and shows each turn Fulfilled', async ({ page }) => {
    const placed = [];
    for (let i = 0; i < 3; i++) placed.push((await placeOrder({ paymentMethod: 'cod' })).order);
    await signIn(page);
    const bulkCalls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/orders/bulk-fulfill') bulkCalls.push(request.method());
    });
    const [newest, , oldest] = [...placed].reverse();
    await page.getByRole('checkbox', { name: `Select ${newest.number}` }).click();
    await page.getByRole('checkbox', { name: `Select ${oldest.number}` }).click({ modifiers: ['Shift'] });
    for (const order of placed) await expect(page.getByRole('checkbox', { name: `Select ${order.number}` })).toBeChecked();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await expect(bar).toContainText('3 selected');
    await bar.getByLabel('Carrier for these orders').fill('Blue Dart');
    await screenshots(page, 'orders-bulk-selected');
    await bar.getByRole('button', { name: 'Fulfil 3 orders' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'fulfilled' })).toHaveText('3 fulfilled.');
    await expect(bar).toHaveCount(0);
    expect(bulkCalls).toEqual(['POST']);
    for (const order of placed) {
      await expect(page.locator(`[data-order-number="${order.number}"]`)).toContainText('Fulfilled');
      expect(await orderStatus(order.id)).toBe('FULFILLED');
      // Fulfilled orders cannot be fulfilled again: no longer selectable.
      await expect(page.getByRole('checkbox', { name: `Select ${order.number}` })).toBeDisabled();
    }
  });

  test('a second signed-in browser sees a new order appear and an open order change, live, without a reload', async ({ page, browser }) => {
    const watcher = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-IN' });
    const second = await watcher.newPage();
    try {
      await signIn(second);
      await expect(second.getByText('Live', { exact: true })).toBeVisible();
      const listed = second.getByRole('list', { name: 'Orders' }).getByRole('link');
      const firstBefore = await listed.first().getAttribute('data-order-number');
      // A marker on the page's window: a reload would lose it.
      await second.evaluate('window.__stillHere = true');

      const fresh = (await placeOrder({ paymentMethod: 'cod' })).order;
      await expect(second.locator(`[data-order-number="${fresh.number}"]`)).toBeVisible();
      await expect(listed.first()).toHaveAttribute('data-order-number', fresh.number);
      await expect(listed.nth(1)).toHaveAttribute('data-order-number', firstBefore!);
      expect(await second.evaluate('window.__stillHere')).toBe(true);

      // The order open in the second browser turns Fulfilled when staff fulfil it in the first.
      await second.locator(`[data-order-number="${fresh.number}"]`).click();
      const detail = second.getByRole('complementary');
      await expect(detail.getByRole('heading', { name: fresh.number })).toContainText('Confirmed (COD)');
      await signIn(page);
      await page.locator(`[data-order-number="${fresh.number}"]`).click();
      await page.getByRole('complementary').getByRole('button', { name: 'Mark as shipped' }).click();
      await page
        .getByRole('complementary')
        .getByRole('button', { name: `Mark ${fresh.number} shipped` })
        .click();
      await expect(detail.getByRole('heading', { name: fresh.number })).toContainText('Fulfilled');
      await expect(second.locator(`[data-order-number="${fresh.number}"]`)).toContainText('Fulfilled');
      expect(await second.evaluate('window.__stillHere')).toBe(true);
    } finally {
      await watcher.close();
    }
  });

  test('filters by payment method and date, and exports the filtered list as CSV', async ({ page }) => {
    const cod = (await placeOrder({ paymentMethod: 'cod' })).order;
    const stripe = (await placeOrder({ paymentMethod: 'stripe' })).order;
    await signIn(page);
    await page.getByLabel('Payment').selectOption('STRIPE');
    await expect(page).toHaveURL(/payment=STRIPE/);
    await expect(page.locator(`[data-order-number="${stripe.number}"]`)).toBeVisible();
    await expect(page.locator(`[data-order-number="${cod.number}"]`)).toHaveCount(0);

    await page.getByLabel('Payment').selectOption('COD');
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Kolkata' });
    await page.getByLabel('From').fill(today);
    await expect(page).toHaveURL(new RegExp(`from=${today}`));
    await expect(page.locator(`[data-order-number="${cod.number}"]`)).toBeVisible();
    await expect(page.locator(`[data-order-number="${stripe.number}"]`)).toHaveCount(0);
    await screenshots(page, 'orders-filtered');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^orders-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^number,created_at,status,payment_method,/);
    expect(csv).toContain(cod.number);
    expect(csv).not.toContain(stripe.number);
    expect(lines.slice(1).every((line) => line.split(',')[3] === 'COD')).toBe(true);

    // A filter that matches nothing says so and offers the way back.
    await page.getByLabel('To').fill('2020-01-01');
    await page.getByLabel('From').fill('2020-01-01');
    await expect(page.getByText('No orders match these filters')).toBeVisible();
    await page.getByRole('button', { name: 'Clear search and filters' }).click();
    await expect(page.locator(`[data-order-number="${stripe.number}"]`)).toBeVisible();
  });
});
