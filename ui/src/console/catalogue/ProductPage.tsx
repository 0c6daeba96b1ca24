import { unwrap } from '@orderline/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { formatMoney, parseMoney, toDecimalText } from '../../lib/money.js';
import { Link } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import type { Product } from './CataloguePage.js';
import styles from '../Page.module.css';

type Variant = Product['variants'][number];
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
type ImageType = (typeof IMAGE_TYPES)[number];
const isImageType = (type: string): type is ImageType => (IMAGE_TYPES as readonly string[]).includes(type);

/** One product: publish or unpublish it, its images (upload, remove), its variants and their prices. */
export function ProductPage({ id }: { id: string }) {
  const loaded = useAsync(() => unwrap(api.GET('/products/{id}', { params: { path: { id } } })), [id]);
  const [product, setProduct] = useState<Product>();
  useEffect(() => setProduct(loaded.data), [loaded.data]);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);

  async function run(what: string, action: () => Promise<Product>, done: string) {
    setBusy(what);
    setError(undefined);
    setNotice(undefined);
    try {
      setProduct(await action());
      setNotice(done);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  }

  const upload = (file: File) => {
    if (!isImageType(file.type)) {
      setError(new Error('Choose a JPEG, PNG, WebP or GIF image'));
      return;
    }
    void run(
      'upload',
      () =>
        unwrap(
          api.POST('/products/{id}/images', {
            params: { path: { id } },
            // The body is the file itself, as the endpoint documents (not JSON).
            body: file as unknown as string,
            bodySerializer: (body: unknown) => body as Blob,
            headers: { 'Content-Type': file.type },
          }),
        ),
      `Uploaded ${file.name}`,
    );
  };

  if (!product) {
    return (
      <div class={styles.page}>
        <Link href="/console/catalogue">← Catalogue</Link>
        {loaded.error !== undefined ? (
          <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
        ) : (
          <div class={styles.card} aria-busy="true" />
        )}
      </div>
    );
  }
  const published = product.status === 'ACTIVE';
  return (
    <div class={styles.page}>
      <Link href="/console/catalogue">← Catalogue</Link>
      <div class={styles.head}>
        <h1>
          {product.name} {published ? <Badge tone="success">Published</Badge> : <Badge tone="neutral">Unpublished</Badge>}
        </h1>
        {published ? (
          <Button
            busy={busy === 'status'}
            onClick={() =>
              void run('status', () => unwrap(api.DELETE('/products/{id}', { params: { path: { id } } })), 'Unpublished: it left the shop')
            }
          >
            Unpublish
          </Button>
        ) : (
          <Button
            variant="primary"
            busy={busy === 'status'}
            onClick={() =>
              void run(
                'status',
                () => unwrap(api.PATCH('/products/{id}', { params: { path: { id } }, body: { status: 'ACTIVE' } })),
                'Published: it is in the shop',
              )
            }
          >
            Publish
          </Button>
        )}
      </div>
      {notice && (
        <p class={styles.done} role="status">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorNotice error={error} />}

      <section class={styles.card} aria-labelledby="images-title">
        <h2 id="images-title">Images</h2>
        {product.images.length ? (
          <ul class={styles.gallery} aria-label="Product images">
            {product.images.map((src, index) => (
              <li key={src}>
                <img src={src} alt={`${product.name}, image ${index + 1}`} />
                <Button
                  size="small"
                  variant="ghost"
                  busy={busy === src}
                  onClick={() =>
                    void run(
                      src,
                      () =>
                        unwrap(
                          api.PATCH('/products/{id}', {
                            params: { path: { id } },
                            body: { images: product.images.filter((i) => i !== src) },
                          }),
                        ),
                      'Image removed',
                    )
                  }
                >
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        ) : (
          <p class={styles.note}>
            No images yet: the shop shows a placeholder. The first image is the one shown in lists and link previews.
          </p>
        )}
        <div class={styles.inline}>
          <label class={styles.select}>
            <span>Upload an image</span>
            <input
              ref={fileInput}
              type="file"
              accept={IMAGE_TYPES.join(',')}
              disabled={busy === 'upload'}
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                if (file) upload(file);
                e.currentTarget.value = '';
              }}
            />
          </label>
          <span class={styles.note}>JPEG, PNG, WebP or GIF, up to 5 MB.</span>
        </div>
      </section>

      <section class={styles.card} aria-labelledby="variants-title">
        <h2 id="variants-title">Variants</h2>
        <table class={styles.table}>
          <thead>
            <tr>
              <th>SKU</th>
              <th>Name</th>
              <th class={styles.num}>Available</th>
              <th class={styles.num}>Price</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {product.variants.map((variant) => (
              <VariantRow key={variant.id} variant={variant} onSaved={loaded.reload} />
            ))}
          </tbody>
        </table>
        <AddVariant productId={id} currency={product.variants[0]?.currency ?? 'INR'} onAdded={loaded.reload} />
      </section>
    </div>
  );
}

function VariantRow({ variant, onSaved }: { variant: Variant; onSaved: () => void }) {
  const [price, setPrice] = useState(toDecimalText(variant.priceMinor, variant.currency));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const parsed = parseMoney(price, variant.currency);
  const changed = parsed.ok && parsed.minor !== variant.priceMinor;
  async function save(event: Event) {
    event.preventDefault();
    if (!parsed.ok || !changed) return;
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.PATCH('/variants/{id}', { params: { path: { id: variant.id } }, body: { priceMinor: parsed.minor } }));
      onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <tr>
      <td data-label="SKU" class="mono">
        {variant.sku}
      </td>
      <td data-label="Name">{variant.name}</td>
      <td data-label="Available" class={`${styles.num} num`}>
        {variant.available}
      </td>
      <td data-label="Price" class={styles.num}>
        <form class={styles.inline} onSubmit={(e) => void save(e)}>
          <input
            class={styles.priceInput}
            aria-label={`Price of ${variant.sku} (${variant.currency})`}
            inputMode="decimal"
            value={price}
            aria-invalid={!parsed.ok || undefined}
            onInput={(e) => setPrice(e.currentTarget.value)}
          />
          {changed && (
            <Button type="submit" size="small" busy={busy}>
              Save {formatMoney(parsed.minor, variant.currency)}
            </Button>
          )}
        </form>
        {!parsed.ok && <span class={styles.note}>{parsed.error}</span>}
        {error !== undefined && <ErrorNotice error={error} />}
      </td>
      <td data-label="State">{variant.active ? 'On sale' : 'Off sale'}</td>
    </tr>
  );
}

function AddVariant({ productId, currency, onAdded }: { productId: string; currency: string; onAdded: () => void }) {
  const [form, setForm] = useState({ sku: '', name: '', price: '', stock: '0' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const set = (field: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [field]: e.currentTarget.value });
  const price = form.price ? parseMoney(form.price, currency) : undefined;
  async function submit(event: Event) {
    event.preventDefault();
    if (!price?.ok) return;
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(
        api.POST('/products/{id}/variants', {
          params: { path: { id: productId } },
          body: {
            sku: form.sku.trim(),
            name: form.name.trim(),
            priceMinor: price.minor,
            currency,
            initialStock: Number(form.stock) || 0,
          },
        }),
      );
      setForm({ sku: '', name: '', price: '', stock: '0' });
      onAdded();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="add-variant-title" class={styles.subform}>
      <h3 id="add-variant-title">Add a variant</h3>
      {error !== undefined && <ErrorNotice error={error} />}
      <div class={styles.fields}>
        <Field label="SKU" required maxLength={64} value={form.sku} onInput={set('sku')} />
        <Field label="Name" required maxLength={120} value={form.name} onInput={set('name')} placeholder="Size M" />
        <Field
          label={`Price (${currency})`}
          required
          inputMode="decimal"
          value={form.price}
          onInput={set('price')}
          error={price && !price.ok ? price.error : undefined}
          hint={price?.ok ? formatMoney(price.minor, currency) : undefined}
        />
        <Field label="Opening stock" type="number" min={0} value={form.stock} onInput={set('stock')} />
      </div>
      <div class={styles.actions}>
        <Button type="submit" busy={busy} disabled={!price?.ok}>
          Add variant
        </Button>
      </div>
    </form>
  );
}
