import { unwrap } from '@orderline/client';
import { adminToken, api, bearer, expect, screenshots, signIn, test } from './support.js';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2219bc00000000049454e44ae426082',
  'hex',
);

test.describe('console: catalogue', () => {
  test('creates a product with a price in rupees, uploads an image and sees it on the product and in the shop, unpublishes it', async ({
    page,
  }) => {
    const tag = Date.now().toString(36);
    await signIn(page);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Catalogue' }).click();
    await page.getByRole('button', { name: 'New product' }).click();
    const form = page.getByRole('form', { name: 'New product' });
    await form.getByLabel('Name', { exact: true }).fill(`Mulmul Saree ${tag}`);
    await form.getByLabel('SKU').fill(`SAREE-${tag}`);
    await form.getByLabel('Variant name').fill('Indigo');
    await form.getByLabel('Price (INR)').fill('1,299.5');
    await expect(form.getByText('₹1,299.50')).toBeVisible();
    await form.getByLabel('Opening stock').fill('4');
    await form.getByRole('button', { name: 'Create product' }).click();

    await expect(page.getByRole('heading', { name: `Mulmul Saree ${tag}` })).toContainText('Published');
    const variants = page.getByRole('region', { name: 'Variants' });
    await expect(variants.getByLabel(`Price of SAREE-${tag} (INR)`)).toHaveValue('1299.50');
    await expect(page.getByText('No images yet')).toBeVisible();

    await page.getByLabel('Upload an image').setInputFiles({ name: 'saree.png', mimeType: 'image/png', buffer: PNG });
    await expect(page.getByRole('status')).toHaveText('Uploaded saree.png');
    const image = page.getByRole('img', { name: `Mulmul Saree ${tag}, image 1` });
    await expect(image).toBeVisible();
    await expect
      .poll(() =>
        image.evaluate((img) => {
          const loaded = img as unknown as { complete: boolean; naturalWidth: number };
          return loaded.complete && loaded.naturalWidth;
        }),
      )
      .toBe(1);
    await screenshots(page, 'product');

    // The shop's product page shows the uploaded image.
    const id = page.url().split('/').pop()!;
    const product = await unwrap(api().GET('/products/{id}', { params: { path: { id } } }));
    expect(product.images).toHaveLength(1);
    const shop = await page.context().newPage();
    await shop.goto(`/shop/${product.slug}`);
    await expect(shop.locator(`img[src="${product.images[0]}"]`).first()).toBeVisible();
    await shop.close();

    // Changing the price: typed in rupees, saved in paise.
    await variants.getByLabel(`Price of SAREE-${tag} (INR)`).fill('1499');
    await variants.getByRole('button', { name: 'Save ₹1,499.00' }).click();
    await expect
      .poll(async () => (await unwrap(api().GET('/products/{id}', { params: { path: { id } } }))).variants[0].priceMinor)
      .toBe(149900);

    await page.getByRole('button', { name: 'Unpublish' }).click();
    await expect(page.getByRole('heading', { name: `Mulmul Saree ${tag}` })).toContainText('Unpublished');
    expect((await api().GET('/products/{id}', { params: { path: { id } } })).response.status).toBe(404);
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect(page.getByRole('heading', { name: `Mulmul Saree ${tag}` })).toContainText('Published');

    await page.getByRole('link', { name: '← Catalogue' }).click();
    await expect(page.getByRole('link', { name: `Mulmul Saree ${tag}` })).toBeVisible();
    await screenshots(page, 'catalogue');
  });
});

test.describe('console: inventory', () => {
  test('lists low stock, adjusts it with a reason, and shows the movement in the ledger', async ({ page }) => {
    const sku = `LOW-${Date.now().toString(36)}`.toUpperCase();
    await unwrap(
      api().POST('/products', {
        headers: bearer(await adminToken()),
        body: {
          name: `Khadi Scarf ${sku}`,
          variants: [{ sku, name: 'Rust', priceMinor: 59900, currency: 'INR', initialStock: 2, lowStockThreshold: 5 }],
        },
      }),
    );
    await signIn(page);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('link', { name: 'Low stock' }).click();
    await expect(page).toHaveURL(/\/console\/inventory\?low=1$/);
    const row = page.locator(`tr[data-sku="${sku}"]`);
    await expect(row).toContainText('Low');
    await screenshots(page, 'inventory-low');

    await row.getByRole('button', { name: `Adjust stock of ${sku}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Change (units)').fill('+10');
    await dialog.getByLabel('Reason').fill('Received shipment 42');
    await dialog.getByRole('button', { name: 'Set on hand to 12' }).click();
    await expect(page.getByRole('status')).toHaveText(`${sku}: on hand 2 → 12`);
    // No longer low: it leaves the low-stock view.
    await expect(row).toHaveCount(0);

    await page.getByRole('link', { name: 'All stock' }).click();
    await page.getByLabel('Search by SKU or product').fill(sku);
    await page
      .locator(`tr[data-sku="${sku}"]`)
      .getByRole('button', { name: `Movements of ${sku}` })
      .click();
    const ledger = page.getByRole('table', { name: `Movements of ${sku}` });
    await expect(ledger.getByRole('row').nth(1)).toContainText('Adjusted');
    await expect(ledger.getByRole('row').nth(1)).toContainText('+10');
    await expect(ledger.getByRole('row').nth(1)).toContainText('Received shipment 42');
    await screenshots(page, 'inventory-ledger');
  });
});
