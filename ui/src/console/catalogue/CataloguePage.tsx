import { unwrap, type Schemas } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { formatMoney, parseMoney } from '../../lib/money.js';
import { Link, navigate } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import { SearchBox } from '../SearchBox.js';
import styles from '../Page.module.css';

export type Product = Schemas['ProductResponse'];

/** "₹499.00" or "₹499.00 – ₹899.00" over a product's variants (of one currency: the catalogue's). */
export function priceRange(product: Product): string {
  if (!product.variants.length) return '—';
  const prices = product.variants.map((v) => v.priceMinor);
  const currency = product.variants[0].currency;
  const [low, high] = [Math.min(...prices), Math.max(...prices)];
  return low === high ? formatMoney(low, currency) : `${formatMoney(low, currency)} – ${formatMoney(high, currency)}`;
}

/** The catalogue: every product (unpublished ones too), and a form for a new one with its first variant. */
export function CataloguePage() {
  const [q, setQ] = useState('');
  const list = useAsync(
    () => unwrap(api.GET('/products', { params: { query: { includeArchived: true, q: q || undefined, limit: 100 } } })),
    [q],
  );
  const [creating, setCreating] = useState(false);
  const products = list.data?.items ?? [];
  return (
    <div class={styles.page}>
      <div class={styles.head}>
        <h1>Catalogue</h1>
        <SearchBox label="Search products" placeholder="Search products" onSearch={setQ} />
        <Button variant="primary" onClick={() => setCreating(true)}>
          New product
        </Button>
      </div>
      {creating && <NewProduct onCancel={() => setCreating(false)} />}
      {list.error !== undefined && <ErrorNotice error={list.error} onRetry={list.reload} />}
      <section class={styles.card} aria-labelledby="products-title" aria-busy={list.loading}>
        <h2 id="products-title">Products{list.data ? ` (${list.data.total})` : ''}</h2>
        {list.data && !products.length ? (
          <EmptyState title={q ? `No products match “${q}”` : 'No products yet'}>
            <p>Add a product with its first variant and price; then upload its images and publish it.</p>
          </EmptyState>
        ) : (
          <table class={styles.table}>
            <thead>
              <tr>
                <th aria-label="Image" />
                <th>Product</th>
                <th>Variants</th>
                <th class={styles.num}>Price</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {products.map((product) => (
                <tr key={product.id}>
                  <td>
                    {product.images[0] ? (
                      <img class={styles.thumb} src={product.images[0]} alt="" loading="lazy" />
                    ) : (
                      <span class={styles.thumb} />
                    )}
                  </td>
                  <td data-label="Product">
                    <Link href={`/console/catalogue/${product.id}`}>{product.name}</Link>
                  </td>
                  <td data-label="Variants">{product.variants.length}</td>
                  <td data-label="Price" class={`${styles.num} num`}>
                    {priceRange(product)}
                  </td>
                  <td data-label="Status">
                    {product.status === 'ACTIVE' ? <Badge tone="success">Published</Badge> : <Badge tone="neutral">Unpublished</Badge>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function NewProduct({ onCancel }: { onCancel: () => void }) {
  const [form, setForm] = useState({ name: '', description: '', sku: '', variantName: '', price: '', currency: 'INR', stock: '0' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const set = (field: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [field]: e.currentTarget.value });
  const price = form.price ? parseMoney(form.price, form.currency) : undefined;
  async function submit(event: Event) {
    event.preventDefault();
    if (!price?.ok) return;
    setBusy(true);
    setError(undefined);
    try {
      const product = await unwrap(
        api.POST('/products', {
          body: {
            name: form.name.trim(),
            description: form.description.trim() || undefined,
            variants: [
              {
                sku: form.sku.trim(),
                name: form.variantName.trim() || 'Default',
                priceMinor: price.minor,
                currency: form.currency,
                initialStock: Number(form.stock) || 0,
              },
            ],
          },
        }),
      );
      navigate(`/console/catalogue/${product.id}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class={styles.card} onSubmit={(e) => void submit(e)} aria-labelledby="new-product-title">
      <h2 id="new-product-title">New product</h2>
      {error !== undefined && <ErrorNotice error={error} />}
      <div class={styles.fields}>
        <Field label="Name" required maxLength={200} value={form.name} onInput={set('name')} autoFocus />
        <Field label="Description" multiline maxLength={5000} value={form.description} onInput={set('description')} />
      </div>
      <h3>First variant</h3>
      <div class={styles.fields}>
        <Field label="SKU" required maxLength={64} value={form.sku} onInput={set('sku')} hint="Letters, digits, . _ -" />
        <Field label="Variant name" maxLength={120} value={form.variantName} onInput={set('variantName')} placeholder="Default" />
        <Field
          label={`Price (${form.currency})`}
          required
          inputMode="decimal"
          value={form.price}
          onInput={set('price')}
          error={price && !price.ok ? price.error : undefined}
          hint={price?.ok ? formatMoney(price.minor, form.currency) : undefined}
        />
        <Field
          label="Currency"
          required
          maxLength={3}
          value={form.currency}
          onInput={(e) => setForm({ ...form, currency: e.currentTarget.value.toUpperCase() })}
        />
        <Field label="Opening stock" type="number" min={0} value={form.stock} onInput={set('stock')} />
      </div>
      <div class={styles.actions}>
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={busy} disabled={!price?.ok}>
          Create product
        </Button>
      </div>
    </form>
  );
}
