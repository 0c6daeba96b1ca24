import { unwrap } from '@orderline/client';
import { adminToken, api, bearer, expect, screenshots, test, uniquePhone } from './support.js';
import { createShopProduct, fillCheckout, simulatorPost, sql, stubImages, stubRazorpay, stubStripe, variantLevel } from './shop-support.js';

/** ₹ amounts as the storefront shows them (the tests run in the en-IN locale). */
const rupees = (minor: number) => new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' }).format(minor / 100);

test.beforeEach(async ({ context }) => {
  await stubImages(context);
});

async function ordersByPhone(phone: string) {
  return unwrap(api().GET('/orders', { params: { query: { q: phone } }, headers: bearer(await adminToken()) }));
}

test.describe('storefront: buying', () => {
  test('a guest buys two variants with cash on delivery, sees the confirmation, and the shop sees the order', async ({ page }) => {
    const product = await createShopProduct({
      name: 'Khadi Shirt',
      variants: [
        { name: 'M', priceMinor: 149900, stock: 5 },
        { name: 'L', priceMinor: 159900, stock: 3 },
      ],
    });
    await page.goto('/shop');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await screenshots(page, 'shop-grid');
    await page.getByRole('link', { name: product.name }).click();
    await expect(page).toHaveURL(`/shop/${product.slug}`);
    await expect(page.getByRole('heading', { name: product.name })).toBeVisible();
    await expect(page.getByTestId('price')).toHaveText(rupees(149900));
    await expect(page.getByTestId('availability')).toHaveText('Only 5 left');
    await screenshots(page, 'product');

    // Two sizes, one of them twice: the price follows the variant picked.
    await page.getByLabel('Quantity').selectOption('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect(page.getByRole('alert')).toContainText(`Added 2 × ${product.name} (M) to your cart.`);
    await page.getByText('L', { exact: true }).click();
    await expect(page.getByTestId('price')).toHaveText(rupees(159900));
    await expect(page.getByTestId('availability')).toHaveText('Only 3 left');
    await page.getByLabel('Quantity').selectOption('1');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await expect(page.getByRole('link', { name: 'Cart, 3 items' })).toBeVisible();
    await page.getByRole('link', { name: 'View cart and check out' }).click();

    await expect(page.getByRole('heading', { name: 'Checkout' })).toBeVisible();
    const total = 2 * 149900 + 159900;
    await expect(page.getByTestId('total')).toHaveText(rupees(total));
    const phone = uniquePhone();
    // A phone that is not one: the API's answer is shown at the field, in words, and nothing is ordered.
    await fillCheckout(page, { name: 'Meera Iyer', phone: '12' });
    await page.getByRole('radio', { name: /^Cash on delivery/ }).check();
    await page.getByRole('button', { name: `Place order · ${rupees(total)}` }).click();
    await expect(page.getByText('Enter a phone number we can reach you on')).toBeVisible();
    await expect(page.getByLabel('Phone')).toBeFocused();
    await expect(page.getByLabel('Full name')).toHaveValue('Meera Iyer');
    await screenshots(page, 'checkout-field-error');

    await page.getByLabel('Phone').fill(phone);
    await page.getByRole('button', { name: `Place order · ${rupees(total)}` }).click();
    await expect(page).toHaveURL(/\/pay\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId('order-status')).toHaveText('Thank you — your order is confirmed');
    const number = await page.getByTestId('order-number').textContent();
    expect(number).toMatch(/^OL-\d{6,}$/);
    await expect(page.getByText(`Pay ${rupees(total)} in cash when it arrives.`)).toBeVisible();
    // The token never went into the address bar, and the cart is empty now.
    expect(page.url()).not.toContain('#');
    await expect(page.getByRole('link', { name: 'Cart', exact: true })).toBeVisible();
    await screenshots(page, 'order-confirmed');

    const found = await ordersByPhone(phone);
    expect(found.items).toHaveLength(1);
    expect(found.items[0]).toMatchObject({
      number,
      status: 'CONFIRMED',
      paymentMethod: 'COD',
      totalMinor: total,
      email: null,
      customerName: 'Meera Iyer',
    });
    expect(found.items[0].items.map((i) => [i.variantName, i.quantity]).sort()).toEqual([
      ['L', 1],
      ['M', 2],
    ]);
  });

  test('Stripe: a declined card says why; the retry pays, and the page turns paid by itself when the signed webhook arrives', async ({
    page,
  }) => {
    const product = await createShopProduct({ name: 'Brass Lamp', variants: [{ name: 'One size', priceMinor: 249900, stock: 4 }] });
    let declineNext = true;
    let intentId = '';
    await stubStripe(page, async (clientSecret) => {
      intentId = clientSecret.split('_secret_')[0];
      if (declineNext) {
        declineNext = false;
        return {
          error: {
            type: 'card_error',
            code: 'card_declined',
            decline_code: 'insufficient_funds',
            message: 'Your card has insufficient funds.',
          },
        };
      }
      // The customer's card is charged at the provider; its webhook is held back so the page's wait can be seen.
      await simulatorPost(`/_sim/stripe/payment_intents/${intentId}/pay`);
      return { paymentIntent: { id: intentId, status: 'processing' } };
    });

    await page.goto(`/shop/${product.slug}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.goto('/checkout');
    const phone = uniquePhone();
    await fillCheckout(page, { name: 'Kabir Shah', phone, email: 'kabir@example.com' });
    await page.getByRole('radio', { name: /^Card\b/ }).check();
    await page.getByRole('button', { name: `Continue to payment · ${rupees(249900)}` }).click();
    await expect(page).toHaveURL(/\/pay\//);
    await expect(page.getByTestId('order-status')).toHaveText('Complete your payment');
    await expect(page.getByTestId('stub-payment-element')).toContainText('pk_test_simulator');
    await expect(page.getByTestId('hold')).toContainText('We are holding your items for');

    await page.getByRole('button', { name: `Pay ${rupees(249900)}` }).click();
    await expect(page.getByTestId('declined')).toHaveText('Your card has insufficient funds. You have not been charged.');
    await screenshots(page, 'pay-declined');

    await page.getByRole('button', { name: `Try again · ${rupees(249900)}` }).click();
    await expect(page.getByTestId('processing')).toContainText(`Confirming your payment of ${rupees(249900)}`);
    const [order] = (await ordersByPhone(phone)).items;
    expect(order.status).toBe('PAYMENT_PENDING');

    // The provider's signed webhook reaches the app; the open page hears of it over its event stream.
    const events = (await (await fetch(`${process.env.ORDERLINE_SIMULATOR_URL}/_sim/events`)).json()) as { id: string; type: string }[];
    const succeeded = events.filter((e) => e.type === 'payment_intent.succeeded').at(-1)!;
    await simulatorPost(`/_sim/events/${succeeded.id}/deliver`);
    await expect(page.getByTestId('order-status')).toHaveText('Paid — thank you!');
    expect(page.url()).toMatch(/\/pay\//);
    await screenshots(page, 'pay-paid');
    expect((await ordersByPhone(phone)).items[0].status).toBe('PAID');
  });

  test('Razorpay: Checkout hands its signed result to the page, which has the server verify it, and paid shows', async ({ page }) => {
    const product = await createShopProduct({ name: 'Tea Chest', variants: [{ name: '500 g', priceMinor: 89900, stock: 6 }] });
    const verified: unknown[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/payments/razorpay/verify')) verified.push(JSON.parse(request.postData() ?? 'null'));
    });
    await stubRazorpay(
      page,
      async (razorpayOrderId) => (await simulatorPost(`/_sim/razorpay/orders/${razorpayOrderId}/pay`, { outcome: 'captured' })).handler,
    );

    await page.goto(`/shop/${product.slug}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.goto('/checkout');
    const phone = uniquePhone();
    await fillCheckout(page, { name: 'Anaya Das', phone });
    await page.getByRole('radio', { name: /^UPI, cards, netbanking/ }).check();
    await page.getByRole('button', { name: `Continue to payment · ${rupees(89900)}` }).click();
    await expect(page.getByTestId('order-status')).toHaveText('Complete your payment');
    await page.getByRole('button', { name: `Pay ${rupees(89900)}` }).click();
    await expect(page.getByTestId('order-status')).toHaveText('Paid — thank you!');
    expect(verified).toEqual([
      {
        razorpay_order_id: expect.stringMatching(/^order_/),
        razorpay_payment_id: expect.stringMatching(/^pay_/),
        razorpay_signature: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    const [order] = (await ordersByPhone(phone)).items;
    expect(order).toMatchObject({ status: 'PAID', paymentMethod: 'RAZORPAY' });
  });

  test('two shoppers race for the last unit: one order, the other is told it sold out, and stock never goes below zero', async ({
    browser,
  }) => {
    const product = await createShopProduct({ name: 'Last Vase', variants: [{ name: 'Blue', priceMinor: 59900, stock: 1 }] });
    const variantId = product.variants[0].id;
    const shoppers = await Promise.all([browser.newContext(), browser.newContext()]);
    const pages = await Promise.all(
      shoppers.map(async (context, i) => {
        await stubImages(context);
        // Each answer is held back a moment, so the live stock of the winner's own order reaches its page first: its
        // page must wait for the answer, not say "sold out".
        await context.route('**/orders/checkout', async (route) => {
          const response = await route.fetch();
          await new Promise((resolve) => setTimeout(resolve, 700));
          await route.fulfill({ response });
        });
        const page = await context.newPage();
        await page.goto(`/shop/${product.slug}`);
        await expect(page.getByTestId('availability')).toHaveText('Only 1 left');
        await page.getByRole('button', { name: 'Add to cart' }).click();
        await page.goto('/checkout');
        await fillCheckout(page, { name: `Racer ${i}`, phone: uniquePhone() });
        await page.getByRole('radio', { name: /^Cash on delivery/ }).check();
        return page;
      }),
    );
    await Promise.all(pages.map((page) => page.getByRole('button', { name: /^Place order/ }).click()));

    const outcomes = await Promise.all(
      pages.map(async (page) => {
        const won = page.waitForURL(/\/pay\//).then(() => 'ordered' as const);
        const lost = page
          .getByRole('alert')
          .filter({ hasText: 'sold out' })
          .first()
          .waitFor()
          .then(() => 'sold out' as const);
        return Promise.race([won, lost]);
      }),
    );
    expect([...outcomes].sort()).toEqual(['ordered', 'sold out']);
    const loser = pages[outcomes.indexOf('sold out')];
    await expect(loser.locator(`[data-variant="${variantId}"]`)).toContainText('Sold out');
    await expect(loser.getByRole('button', { name: /^Place order/ })).toBeDisabled();
    await screenshots(loser, 'checkout-sold-out');
    expect(await variantLevel(variantId)).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
    await Promise.all(shoppers.map((context) => context.close()));
  });
});

test.describe('storefront: drops', () => {
  test('a drop counts down, refuses to sell before it opens with a clear message, then opens for everyone at once', async ({
    page,
    context,
  }) => {
    const opensAt = new Date(Date.now() + 15_000);
    const product = await createShopProduct({
      name: 'Drop Jacket',
      variants: [{ name: 'M', priceMinor: 499900, stock: 3 }],
      availableFrom: opensAt,
    });
    const variant = product.variants[0];

    // A cart holding the item before the drop (from another tab, say): checkout refuses it and says when it opens.
    await page.goto('/shop');
    await page.evaluate((line) => (globalThis as any).localStorage.setItem('orderline:cart', JSON.stringify([line])), {
      variantId: variant.id,
      productId: product.id,
      productSlug: product.slug,
      productName: product.name,
      variantName: variant.name,
      priceMinor: variant.priceMinor,
      currency: 'INR',
      quantity: 1,
    });
    await page.goto('/checkout');
    await expect(page.locator(`[data-variant="${variant.id}"]`)).toContainText('Not on sale yet — this drop opens');
    await expect(page.getByRole('button', { name: /^Continue to payment|^Place order/ })).toBeDisabled();
    const refused = await api().POST('/orders/checkout', {
      body: {
        items: [{ variantId: variant.id, quantity: 1 }],
        contact: { name: 'Early Bird', phone: uniquePhone() },
        shippingAddress: { line1: '1 MG Road', city: 'Pune', postalCode: '411001', country: 'IN' },
        paymentMethod: 'cod',
      },
    });
    expect(refused.response.status).toBe(400);
    await screenshots(page, 'checkout-drop-not-open');

    // The product page counts down, in a second tab as well, and both flip to buyable when the drop opens.
    await page.goto(`/shop/${product.slug}`);
    const second = await context.newPage();
    await second.goto(`/shop/${product.slug}`);
    for (const tab of [page, second]) {
      await expect(tab.getByTestId('drop-countdown')).toContainText(/Drop opens in 00:\d\d/);
      await expect(tab.getByRole('button', { name: 'Not on sale yet' })).toBeDisabled();
    }
    await screenshots(page, 'product-drop-countdown');
    for (const tab of [page, second]) {
      await expect(tab.getByRole('button', { name: 'Add to cart' })).toBeEnabled({ timeout: 25_000 });
      await expect(tab.getByTestId('drop-countdown')).toHaveCount(0);
      await expect(tab.getByTestId('availability')).toHaveText('Only 3 left');
    }
    expect(Date.now()).toBeGreaterThanOrEqual(opensAt.getTime() - 1_500);

    // Open now: the same cart checks out.
    await page.goto('/checkout');
    await expect(page.locator(`[data-variant="${variant.id}"]`)).not.toContainText('Not on sale');
    await fillCheckout(page, { name: 'Drop Buyer', phone: uniquePhone() });
    await page.getByRole('radio', { name: /^Cash on delivery/ }).check();
    await page.getByRole('button', { name: /^Place order/ }).click();
    await expect(page.getByTestId('order-status')).toHaveText('Thank you — your order is confirmed');
    // The other tab saw the unit go, live.
    await expect(second.getByTestId('availability')).toHaveText('Only 2 left');
  });
});

test.describe('storefront: after the order', () => {
  test('an unpaid order whose hold runs out tells the customer its items were released, live', async ({ page }) => {
    const product = await createShopProduct({ name: 'Held Scarf', variants: [{ name: 'Red', priceMinor: 79900, stock: 2 }] });
    await stubStripe(page, async () => ({ paymentIntent: { status: 'processing' } }));
    await page.goto(`/shop/${product.slug}`);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.goto('/checkout');
    const phone = uniquePhone();
    await fillCheckout(page, { name: 'Slow Payer', phone });
    await page.getByRole('radio', { name: /^Card\b/ }).check();
    await page.getByRole('button', { name: /^Continue to payment/ }).click();
    await expect(page.getByTestId('order-status')).toHaveText('Complete your payment');
    expect((await variantLevel(product.variants[0].id)).reserved).toBe(1);

    // Time passes: the hold lapses and the expiry job releases the stock.
    const [order] = (await ordersByPhone(phone)).items;
    await sql(`UPDATE orders SET reservation_expires_at = now() - interval '1 second' WHERE id = $1`, [order.id]);
    await expect(page.getByTestId('order-status')).toHaveText('Time ran out for this order');
    await expect(page.getByText('they were released for other customers')).toBeVisible();
    expect(await variantLevel(product.variants[0].id)).toMatchObject({ reserved: 0, available: 2 });
  });

  test('tracking by order number and phone shows status, timeline, carrier and link; a wrong phone reveals nothing', async ({ page }) => {
    const product = await createShopProduct({ name: 'Track Mug', variants: [{ name: 'White', priceMinor: 39900, stock: 5 }] });
    const phone = uniquePhone();
    const placed = await unwrap(
      api().POST('/orders/checkout', {
        body: {
          items: [{ variantId: product.variants[0].id, quantity: 2 }],
          contact: { name: 'Ravi Menon', phone },
          shippingAddress: { line1: '9 Lake Road', city: 'Kochi', postalCode: '682001', country: 'IN' },
          paymentMethod: 'cod',
        },
      }),
    );
    await unwrap(
      api().POST('/orders/{id}/fulfill', {
        params: { path: { id: placed.order.id } },
        headers: bearer(await adminToken()),
        body: { carrier: 'BlueDart', trackingNumber: 'BD123456789IN' },
      }),
    );

    await page.goto('/track');
    await page.getByLabel('Order number').fill(placed.order.number);
    await page.getByLabel('Phone number').fill('+91 00000 00000');
    await page.getByRole('button', { name: 'Track' }).click();
    await expect(page.getByRole('alert')).toHaveText(
      "We couldn't find an order with that number and phone number. Check both and try again.",
    );
    await expect(page.getByText('Track Mug')).toHaveCount(0);
    await expect(page.getByText('BlueDart')).toHaveCount(0);

    // Written the way people write it: without the country code, with spaces.
    await page.getByLabel('Phone number').fill(`${phone.slice(3, 8)} ${phone.slice(8)}`);
    await page.getByRole('button', { name: 'Track' }).click();
    await expect(page.getByTestId('tracked-status')).toHaveText('Shipped');
    await expect(page.getByText(`2 × ${product.name} (White)`)).toBeVisible();
    await expect(page.getByTestId('shipment')).toContainText('Shipped with BlueDart, tracking number BD123456789IN');
    await expect(page.getByRole('link', { name: 'follow the parcel' })).toHaveAttribute(
      'href',
      'https://track.example/BlueDart/BD123456789IN',
    );
    const timeline = page.getByRole('list', { name: 'Timeline' }).getByRole('listitem');
    await expect(timeline).toHaveCount(3);
    await expect(timeline.nth(0)).toContainText('Order placed');
    await expect(timeline.nth(1)).toContainText('Confirmed — cash on delivery');
    await expect(timeline.nth(2)).toContainText('Shipped');
    await expect(page.getByText('Ravi Menon')).toHaveCount(0);
    await screenshots(page, 'track');
  });
});

test.describe('storefront: shared links', () => {
  test('a product page is complete HTML with Open Graph tags (title, price, image), and reads without JavaScript', async ({
    browser,
    request,
  }) => {
    const product = await createShopProduct({
      name: 'Preview <Saree> & "Co"',
      variants: [{ name: 'Teal', priceMinor: 349950, stock: 7 }],
      description: 'Handloom cotton — <b>not bold</b>',
    });
    const res = await request.get(`/shop/${product.slug}`, { headers: { 'User-Agent': 'WhatsApp/2.23.20.0' } });
    expect(res.status()).toBe(200);
    const html = await res.text();
    const metaContent = (property: string) =>
      new RegExp(`<meta (?:property|name)="${property.replace(':', '\\:')}" content="([^"]*)"`).exec(html)?.[1];
    expect(metaContent('og:title')).toBe(
      `${product.name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')} — Orderline Demo`,
    );
    expect(metaContent('og:type')).toBe('product');
    expect(metaContent('og:image')).toBe(product.images[0]);
    expect(metaContent('product:price:amount')).toBe('3499.50');
    expect(metaContent('product:price:currency')).toBe('INR');
    expect(metaContent('og:url')).toMatch(new RegExp(`/shop/${product.slug}$`));
    // Everything the product brings is escaped: no markup of its own reaches the page.
    expect(html).not.toContain('<Saree>');
    expect(html).not.toContain('<b>not bold</b>');
    expect(html).not.toMatch(/<script(?![^>]*(type="application\/json"|src="\/assets\/))/);

    const noJs = await browser.newContext({ javaScriptEnabled: false });
    await stubImages(noJs);
    const page = await noJs.newPage();
    await page.goto(`/shop/${product.slug}`);
    await expect(page.getByRole('heading', { name: product.name })).toBeVisible();
    await expect(page.getByTestId('price')).toHaveText(rupees(349950));
    await expect(page.getByTestId('availability')).toHaveText('Only 7 left');
    await noJs.close();
    // (Chromium with scripting switched off by the test driver still parses <noscript> as if scripts ran, so its text is
    // checked in the HTML.)
    expect(html).toContain('<noscript><p class="muted">Turn on JavaScript to choose options and buy.</p></noscript>');

    const missing = await request.get('/shop/no-such-product-anywhere');
    expect(missing.status()).toBe(404);
    expect(await missing.text()).toContain('<meta name="robots" content="noindex" />');
  });
});
