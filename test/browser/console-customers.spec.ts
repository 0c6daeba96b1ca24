import { unwrap } from '@orderline/client';
import { adminToken, api, bearer, expect, placeOrder, screenshots, signIn, test } from './support.js';

test.describe('console: customers', () => {
  test('finds a customer by phone, sees their orders and value, and keeps a note and tags', async ({ page }) => {
    const placed = await placeOrder({ paymentMethod: 'cod', quantity: 1 });
    await signIn(page);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Customers' }).click();
    await page.getByLabel('Search customers').fill(placed.phone.slice(-7));
    const row = page.getByRole('row').filter({ hasText: placed.phone });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('1');
    await screenshots(page, 'customers');

    await row.getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(placed.order.customerName);
    await expect(page.getByTestId('lifetime-value')).toHaveText('—');
    await expect(page.getByRole('link', { name: placed.order.number })).toBeVisible();
    await page.getByLabel('Note', { exact: true }).fill('Asked for gift wrap');
    await page.getByLabel('Tags', { exact: true }).fill('vip, gifting');
    await page.getByRole('button', { name: 'Save notes and tags' }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    const stored = await unwrap(
      api().GET('/admin/customers/{phone}', { params: { path: { phone: placed.phone } }, headers: bearer(await adminToken()) }),
    );
    expect(stored).toMatchObject({ note: 'Asked for gift wrap', tags: ['vip', 'gifting'], orders: 1 });
    await screenshots(page, 'customer');

    // From the customer to the order, and the order list opens it.
    await page.getByRole('link', { name: placed.order.number }).click();
    await expect(page.getByRole('complementary').getByRole('heading', { name: placed.order.number })).toBeVisible();
  });
});
