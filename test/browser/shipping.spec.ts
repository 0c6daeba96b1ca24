import { unwrap } from '@orderline/client';
import { adminToken, api, bearer, expect, placeOrder, screenshots, signIn, test } from './support.js';

/** Staff report what the courier said (the same path as a carrier webhook), through the API. */
async function report(orderId: string, status: 'DELIVERY_FAILED' | 'RTO_INITIATED', reason?: string) {
  const headers = bearer(await adminToken());
  const { items } = await unwrap(api().GET('/shipments', { params: { query: { orderId } }, headers }));
  await unwrap(api().POST('/shipments/{id}/events', { params: { path: { id: items[0].id } }, body: { status, reason }, headers }));
}

test.describe('console: shipping', () => {
  test('books two COD orders with Shiprocket in one go, then follows a failed delivery and receives a parcel back', async ({ page }) => {
    const first = (await placeOrder({ paymentMethod: 'cod' })).order;
    const second = (await placeOrder({ paymentMethod: 'cod', quantity: 2 })).order;
    await signIn(page);
    await page.getByRole('link', { name: 'Shipping', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Shipping' })).toBeVisible();
    await page.getByLabel(`Select ${first.number}`).check();
    await page.getByLabel(`Select ${second.number}`).check();
    await screenshots(page, 'shipping-to-ship');
    await page.getByRole('button', { name: 'Book 2 parcels' }).click();
    await expect(page.getByTestId('booking-results')).toContainText('Booked 2, 0 not booked');
    await expect(page.getByLabel(`Select ${first.number}`)).toHaveCount(0);

    await report(first.id, 'DELIVERY_FAILED', 'Customer not available');
    await page.getByRole('link', { name: 'Failed deliveries (NDR)' }).click();
    const ndrRow = page.getByTestId('shipment-row').filter({ hasText: first.number });
    await expect(ndrRow).toContainText('1 · Customer not available');
    await expect(ndrRow).toContainText('Delivery failed');
    await screenshots(page, 'shipping-ndr');

    await report(second.id, 'RTO_INITIATED');
    await page.getByRole('link', { name: 'Returns to origin (RTO)' }).click();
    const rtoRow = page.getByTestId('shipment-row').filter({ hasText: second.number });
    await expect(rtoRow).toContainText('Returning to origin');
    await rtoRow.getByRole('button', { name: 'Receive and restock' }).click();
    await expect(rtoRow).toContainText('Returned to origin');
    await expect(rtoRow).toContainText('Received');
    await screenshots(page, 'shipping-rto');
  });
});
