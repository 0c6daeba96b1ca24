import { unwrap } from '@orderline/client';
import { ADMIN, adminToken, api, bearer, createStaff, expect, payWithStripe, placeOrder, screenshots, signIn, test } from './support.js';

async function orderAsAdmin(id: string) {
  return unwrap(api().GET('/orders/{id}', { params: { path: { id } }, headers: bearer(await adminToken()) }));
}

async function paymentAsAdmin(id: string) {
  return unwrap(api().GET('/orders/{id}/payment', { params: { path: { id } }, headers: bearer(await adminToken()) }));
}

test.describe('console: signing in', () => {
  test('refuses a wrong password with the API message and request id, then signs in and stays signed in across a reload', async ({
    page,
  }) => {
    await page.goto('/console/orders?status=PAID');
    await expect(page).toHaveURL(/\/console\/sign-in\?next=/);
    await expect(page.getByRole('heading', { name: 'Sign in to Orderline' })).toBeVisible();
    await screenshots(page, 'sign-in');

    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Email or password is incorrect');
    await expect(alert.getByTestId('request-id')).toHaveText(/^[0-9a-f-]{36}$/);
    await expect(page.getByLabel('Password')).toHaveValue('');
    await screenshots(page, 'sign-in-failed');

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back to where the user was going, filters and all.
    await expect(page).toHaveURL(/\/console\/orders\?status=PAID$/);
    await expect(page.getByRole('link', { name: 'Paid', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByText(ADMIN.email)).toBeVisible();

    // The access token lived only in memory; the httpOnly refresh cookie brings the session back.
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'orderline_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/auth' });
    expect(await page.evaluate('document.cookie')).not.toContain('orderline_session');
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Orders', exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Sign in to Orderline' })).toHaveCount(0);
  });

  test('refuses a customer account: the console is for staff', async ({ page }) => {
    const customer = { email: `customer-${Date.now()}@example.com`, password: 'customer-pass-1' };
    await unwrap(api().POST('/auth/register', { body: { ...customer, name: 'Just A Customer' } }));
    await page.goto('/console/');
    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel('Password').fill(customer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('not a staff account');
    await expect(page.getByRole('heading', { name: 'Sign in to Orderline' })).toBeVisible();
    // The session that login started was ended again: nothing to resume.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Sign in to Orderline' })).toBeVisible();
  });

  test('refreshes an expired access token once and retries, and tabs resuming at the same moment do not trip reuse detection', async ({
    page,
    context,
  }) => {
    await signIn(page);
    const refreshes: number[] = [];
    context.on('request', (request) => {
      if (new URL(request.url()).pathname === '/auth/refresh') refreshes.push(Date.now());
    });
    // The next orders request meets an expired token (as after JWT_EXPIRES_IN): 401, the console refreshes and retries.
    let expired = false;
    await page.route(/\/orders\?/, async (route) => {
      if (expired) return route.continue();
      expired = true;
      await route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'A valid bearer token is required' }),
      });
    });
    await page.getByRole('link', { name: 'Paid', exact: true }).click();
    await expect(page).toHaveURL(/status=PAID/);
    await expect(page.getByRole('heading', { name: 'Sign in to Orderline' })).toHaveCount(0);
    await expect.poll(() => expired).toBe(true);
    await expect(page.getByRole('list', { name: 'Orders' }).or(page.getByText('No orders are paid'))).toBeVisible();
    expect(refreshes).toHaveLength(1);
    await page.unroute(/\/orders\?/);

    // Three tabs of the same browser resume together: each refresh token works once, so they must take turns. A slow
    // network (every refresh held 400 ms) makes sure the three would overlap if they did not.
    await context.route('**/auth/refresh', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    const tabs = [page, await context.newPage(), await context.newPage()];
    await Promise.all(tabs.map((tab) => tab.goto('/console/orders')));
    for (const tab of tabs) await expect(tab.getByRole('heading', { name: 'Orders', exact: true })).toBeVisible();
    await context.unroute('**/auth/refresh');
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Orders', exact: true })).toBeVisible();
    expect(refreshes.length).toBeGreaterThanOrEqual(5);
  });

  test('changes the own password (refusing a wrong current one), signs out, and only the new password works', async ({ page }) => {
    const staff = { email: `second-admin-${Date.now()}@brand.example`, password: 'second-admin-pass' };
    await createStaff(staff.email, staff.password);
    await signIn(page, staff);
    await page.getByRole('link', { name: 'Account' }).click();
    await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();

    await page.getByLabel('Current password').fill('wrong-current-pass');
    await page.getByLabel('New password', { exact: true }).fill('brand-new-pass-42');
    await page.getByLabel('Repeat new password').fill('brand-new-pass-42');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('currentPassword is not your current password')).toBeVisible();

    await page.getByLabel('Current password').fill(staff.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('status')).toHaveText('Password changed. Your other sessions were signed out.');
    await screenshots(page, 'account');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in to Orderline' })).toBeVisible();
    await expect(page.getByText('You have signed out.')).toBeVisible();
    expect((await page.context().cookies()).find((c) => c.name === 'orderline_session')).toBeUndefined();
    // Signed out for real: a reload does not bring the session back.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Sign in to Orderline' })).toBeVisible();

    const old = await api().POST('/auth/login', { body: staff });
    expect(old.response.status).toBe(401);
    await signIn(page, { email: staff.email, password: 'brand-new-pass-42' });
  });
});

test.describe('console: orders', () => {
  test('finds an order by phone, fulfils it with carrier and tracking, and sees it turn Fulfilled', async ({ page }) => {
    const placed = await placeOrder({ paymentMethod: 'cod', quantity: 2 });
    const other = await placeOrder({ paymentMethod: 'cod' });
    await signIn(page);
    await expect(page.locator(`[data-order-number="${other.order.number}"]`)).toBeVisible();
    await screenshots(page, 'orders-list');

    // j/k move through the list, Enter opens, and with an order open j/k flip through the orders; Esc closes.
    const listed = page.getByRole('list', { name: 'Orders' }).getByRole('link');
    const [firstNumber, secondNumber] = await Promise.all([
      listed.nth(0).getAttribute('data-order-number'),
      listed.nth(1).getAttribute('data-order-number'),
    ]);
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    const opened = page.getByRole('complementary').getByRole('heading', { level: 2 });
    await expect(opened).toContainText(secondNumber!);
    await page.keyboard.press('k');
    await expect(opened).toContainText(firstNumber!);
    await expect(page).toHaveURL(new RegExp(`/console/orders/${(await listed.nth(0).getAttribute('href'))!.split('/').pop()}$`));
    await page.keyboard.press('Escape');
    await expect(page.getByRole('complementary')).toHaveCount(0);
    await expect(page).toHaveURL(/\/console\/orders$/);

    // Keyboard: "/" focuses the search; the phone's last digits find the order (and nothing else).
    await page.keyboard.press('/');
    await expect(page.getByLabel('Search orders')).toBeFocused();
    await page.keyboard.type(placed.phone.slice(-8));
    const rows = page.getByRole('list', { name: 'Orders' }).getByRole('link');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-order-number', placed.order.number);
    await expect(rows.first()).toContainText('Confirmed (COD)');
    await expect(page).toHaveURL(new RegExp(`q=${placed.phone.slice(-8)}`));

    // Enter in the search box moves to the results; Enter opens the selected one.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const detail = page.getByRole('complementary');
    await expect(detail.getByRole('heading', { name: placed.order.number })).toBeVisible();
    await expect(detail.getByRole('heading', { name: placed.order.number })).toContainText('Confirmed (COD)');
    // Only what the state machine allows for a confirmed COD order.
    await expect(detail.getByRole('button', { name: 'Mark as shipped' })).toBeVisible();
    await expect(detail.getByRole('button', { name: 'Cancel order…' })).toBeVisible();
    await expect(detail.getByRole('button', { name: /Refund|Mark delivered/ })).toHaveCount(0);
    await screenshots(page, 'order-detail');

    await detail.getByRole('button', { name: 'Mark as shipped' }).click();
    await detail.getByLabel('Carrier').fill('Delhivery');
    await detail.getByLabel('Tracking number').fill('DL998877IN');
    await detail.getByRole('button', { name: `Mark ${placed.order.number} shipped` }).click();
    await expect(detail.getByRole('status')).toHaveText('Marked shipped with Delhivery');
    await expect(detail.getByRole('heading', { name: placed.order.number })).toContainText('Fulfilled');
    await expect(detail.getByText('DL998877IN').first()).toBeVisible();
    // The list row turns Fulfilled too, and the next step is delivery with the cash it collects.
    await expect(rows.first()).toContainText('Fulfilled');
    await expect(detail.getByRole('button', { name: /^Mark delivered, ₹[\d,]+\.\d{2} collected$/ })).toBeVisible();
    await expect(detail.getByRole('list').filter({ hasText: 'Shipped' }).first()).toContainText('Delhivery');
    await screenshots(page, 'order-fulfilled');

    const stored = await orderAsAdmin(placed.order.id);
    expect(stored).toMatchObject({ status: 'FULFILLED', carrier: 'Delhivery', trackingNumber: 'DL998877IN' });
    expect((await orderAsAdmin(other.order.id)).status).toBe('CONFIRMED');

    // Esc closes the order; the search stays.
    await page.keyboard.press('Escape');
    await expect(detail).toHaveCount(0);
    await expect(page.getByLabel('Search orders')).toHaveValue(placed.phone.slice(-8));
  });

  test('refunds part of a paid order: the console refuses more than is refundable, and so does the API', async ({ page }) => {
    const placed = await placeOrder({ paymentMethod: 'stripe' });
    const intentId = (placed.payment as { paymentIntentId?: string } | null)?.paymentIntentId;
    expect(intentId).toMatch(/^pi_/);
    await payWithStripe(placed.order, intentId!);
    const total = placed.order.totalMinor;
    expect(total).toBeGreaterThan(10_000);
    const money = (minor: number) =>
      new Intl.NumberFormat('en-IN', { style: 'currency', currency: placed.order.currency }).format(minor / 100);

    const refundCalls: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/orders\/[^/]+\/refunds$/.test(new URL(request.url()).pathname))
        refundCalls.push(request.postData() ?? '');
    });

    await signIn(page);
    await page.goto(`/console/orders/${placed.order.id}`);
    const detail = page.getByRole('complementary');
    await expect(detail.getByRole('heading', { name: placed.order.number })).toContainText('Paid');
    await expect(detail.getByTestId('refundable')).toHaveText(money(total));
    await detail.getByRole('button', { name: 'Refund…' }).click();
    const amount = detail.getByLabel(`Amount (${placed.order.currency})`);
    // The refundable remainder is the default, never more.
    await expect(amount).toHaveValue((total / 100).toFixed(2));

    await amount.fill(((total + 1) / 100).toFixed(2));
    await expect(detail.getByText(`At most ${money(total)} can be refunded`)).toBeVisible();
    await expect(detail.getByRole('button', { name: 'Refund', exact: true })).toBeDisabled();
    await amount.fill('12.345');
    await expect(detail.getByText('Use at most 2 decimals')).toBeVisible();
    await expect(detail.getByRole('button', { name: 'Refund', exact: true })).toBeDisabled();
    await screenshots(page, 'refund-refused');

    await amount.fill('100');
    await detail.getByLabel('Reason').fill('Late delivery: goodwill refund');
    await detail.getByRole('button', { name: `Refund ${money(10_000)}` }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('heading')).toHaveText(
      new RegExp(`^Refund ${money(10_000).replace(/[.$]/g, '\\$&')} to the Stripe payment ending \\w{4}\\?$`),
    );
    await expect(dialog).toContainText(`${money(total - 10_000)} stays refundable afterwards`);
    await screenshots(page, 'refund-confirm');
    expect(refundCalls).toEqual([]);
    await dialog.getByRole('button', { name: `Refund ${money(10_000)}` }).click();

    await expect(detail.getByRole('status')).toContainText(`Refunded ${money(10_000)}`);
    await expect(detail.getByRole('heading', { name: placed.order.number })).toContainText('Partly refunded');
    await expect(detail.getByTestId('refundable')).toHaveText(money(total - 10_000));
    expect(refundCalls).toHaveLength(1);
    expect(JSON.parse(refundCalls[0])).toEqual({ amountMinor: 10_000, reason: 'Late delivery: goodwill refund' });

    // The console's limit is the API's: one minor unit more than what is left is refused there too.
    const summary = await paymentAsAdmin(placed.order.id);
    expect(summary).toMatchObject({
      paidMinor: total,
      refundedMinor: 10_000,
      refundableMinor: total - 10_000,
      orderStatus: 'PARTIALLY_REFUNDED',
    });
    const over = await api().POST('/orders/{id}/refunds', {
      params: { path: { id: placed.order.id }, header: { 'Idempotency-Key': crypto.randomUUID() } },
      headers: bearer(await adminToken()),
      body: { amountMinor: total - 10_000 + 1, reason: 'more than is left' },
    });
    expect(over.response.status).toBe(422);
    expect(over.error).toMatchObject({ details: { refundableMinor: total - 10_000 } });
    expect((await paymentAsAdmin(placed.order.id)).refundedMinor).toBe(10_000);
  });

  test('reconciles a payment whose webhook never came: the order turns Paid from what the provider says', async ({ page }) => {
    const placed = await placeOrder({ paymentMethod: 'stripe' });
    const intentId = (placed.payment as { paymentIntentId?: string } | null)?.paymentIntentId;
    expect(intentId).toMatch(/^pi_/);
    // The customer pays at the provider, and its webhook is lost (never delivered).
    const pay = await fetch(`${process.env.ORDERLINE_SIMULATOR_URL}/_sim/stripe/payment_intents/${intentId}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(pay.status).toBe(200);
    const money = new Intl.NumberFormat('en-IN', { style: 'currency', currency: placed.order.currency }).format(
      placed.order.totalMinor / 100,
    );

    await signIn(page);
    await page.goto(`/console/orders/${placed.order.id}`);
    const detail = page.getByRole('complementary');
    await expect(detail.getByRole('heading', { name: placed.order.number })).toContainText('Awaiting payment');
    await detail.getByRole('button', { name: 'Check with Stripe' }).click();
    await expect(detail.getByRole('status').filter({ hasText: 'Checked with Stripe' })).toHaveText(
      `Checked with Stripe: paid is now ${money}.`,
    );
    await expect(detail.getByRole('heading', { name: placed.order.number })).toContainText('Paid');
    await screenshots(page, 'order-reconciled');
    const token = await adminToken();
    const order = await api().GET('/orders/{id}', {
      params: { path: { id: placed.order.id }, header: {} as never },
      headers: bearer(token),
    });
    expect(order.data?.status).toBe('PAID');
    // A second check finds nothing more.
    await detail.getByRole('button', { name: 'Check with Stripe' }).click();
    await expect(detail.getByRole('status').filter({ hasText: 'Checked with Stripe' })).toHaveText(
      'Checked with Stripe: nothing was missed.',
    );
  });
});
