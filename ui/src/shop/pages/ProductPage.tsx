import { useState } from 'preact/hooks';
import type { Product, ShopData } from '../model.js';
import { dropOf, firstImage } from '../model.js';
import { useLiveProducts } from '../lib/live-catalogue.js';
import { useNow } from '../lib/clock.js';
import { formatPrice } from '../lib/format.js';
import { addToCart, MAX_QUANTITY } from '../lib/cart.js';
import { useShopHref } from '../lib/base.js';
import { Availability } from '../components/Availability.js';
import { DropCountdown } from '../components/DropCountdown.js';
import { ProductImage } from '../components/ProductImage.js';
import styles from './Catalogue.module.css';
import shop from '../components/Shop.module.css';

/** The name of what the variants differ in ("Size"), when they differ in exactly one attribute. */
function optionLabel(product: Product): string {
  const attributes = product.variants.map((v) => (v.attributes as Record<string, unknown> | null | undefined) ?? {});
  const keys = [...new Set(attributes.flatMap((a) => Object.keys(a)))];
  const varying = keys.filter((key) => new Set(attributes.map((a) => JSON.stringify(a[key]))).size > 1);
  if (varying.length !== 1) return 'Option';
  return varying[0].charAt(0).toUpperCase() + varying[0].slice(1);
}

/**
 * /shop/:slug. The server renders it whole (price, stock, variants, countdown), so it reads without JavaScript; the
 * browser makes the picker and the cart work, and keeps stock and the drop live.
 */
export function ProductPage({ data }: { data: ShopData }) {
  return data.product ? <ProductView data={data} initial={data.product} /> : null;
}

function ProductView({ data, initial }: { data: ShopData; initial: Product }) {
  const href = useShopHref();
  const { products, opened } = useLiveProducts([initial]);
  const product = products[0];
  const renderedAt = Date.parse(data.serverTime);
  const now = useNow(data.serverTime, dropOf(product, renderedAt).state === 'upcoming');
  const variants = product.variants;
  const [selectedId, setSelectedId] = useState(() => (variants.find((v) => v.available > 0) ?? variants.at(0))?.id);
  const [quantity, setQuantity] = useState(1);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();

  const selected = variants.find((v) => v.id === selectedId) ?? variants.at(0);
  const drop = dropOf(product, now);
  const upcoming = drop.state === 'upcoming' && !opened.has(product.id);
  const onSale = product.status === 'ACTIVE' && !upcoming && drop.state !== 'ended';
  const available = Math.max(0, selected?.available ?? 0);
  const maxQuantity = Math.max(1, Math.min(10, MAX_QUANTITY, available));
  const chosenQuantity = Math.min(quantity, maxQuantity);

  const add = () => {
    if (!selected) return;
    const result = addToCart(
      {
        variantId: selected.id,
        productId: product.id,
        productSlug: product.slug,
        productName: product.name,
        variantName: selected.name,
        priceMinor: selected.priceMinor,
        currency: selected.currency,
        image: firstImage(product),
      },
      chosenQuantity,
      available,
    );
    setOutcome(
      result.ok
        ? { ok: true, text: `Added ${chosenQuantity} × ${product.name} (${selected.name}) to your cart.` }
        : { ok: false, text: result.reason },
    );
  };

  if (product.status !== 'ACTIVE') {
    return (
      <section class={styles.info}>
        <h1>{product.name}</h1>
        <p class={shop.problem} role="status">
          This product is no longer for sale.
        </p>
        <p>
          <a href={href('/shop')}>See what else is in the shop</a>
        </p>
      </section>
    );
  }

  return (
    <article class={styles.product}>
      <div>
        <ProductImage src={firstImage(product)} alt={product.name} eager />
      </div>
      <div class={styles.info}>
        <h1>{product.name}</h1>
        {selected && (
          <p class={styles.price} data-testid="price">
            {formatPrice(selected.priceMinor, selected.currency, data.locale)}
          </p>
        )}
        <div role="status" aria-live="polite">
          {upcoming && drop.opensAt !== null ? (
            <DropCountdown opensAt={drop.opensAt} now={now} locale={data.locale} />
          ) : drop.state === 'ended' ? (
            <p>This drop has ended.</p>
          ) : (
            selected && <Availability available={available} />
          )}
        </div>
        {variants.length > 1 && (
          <fieldset class={styles.options}>
            <legend>{optionLabel(product)}</legend>
            {variants.map((variant) => (
              <label class={styles.option} key={variant.id}>
                <input
                  type="radio"
                  name="variant"
                  value={variant.id}
                  checked={variant.id === selected?.id}
                  disabled={variant.available <= 0}
                  onChange={() => {
                    setSelectedId(variant.id);
                    setOutcome(undefined);
                  }}
                />
                <span>
                  {variant.name}
                  {variant.available <= 0 && <span class="visually-hidden"> (sold out)</span>}
                </span>
              </label>
            ))}
          </fieldset>
        )}
        <div class={styles.buy}>
          <label class={styles.quantity}>
            Quantity
            <select
              value={String(chosenQuantity)}
              disabled={!onSale || available <= 0}
              onChange={(e) => setQuantity(Number((e.target as HTMLSelectElement).value))}
            >
              {Array.from({ length: maxQuantity }, (_, i) => (
                <option key={i} value={String(i + 1)}>
                  {i + 1}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class={shop.action} disabled={!onSale || available <= 0} onClick={add}>
            {upcoming ? 'Not on sale yet' : drop.state === 'ended' ? 'Drop ended' : available <= 0 ? 'Sold out' : 'Add to cart'}
          </button>
        </div>
        <noscript>
          <p class="muted">Turn on JavaScript to choose options and buy.</p>
        </noscript>
        {outcome && (
          <p class={outcome.ok ? shop.success : shop.problem} role="alert">
            <span>{outcome.text}</span>
            {outcome.ok && <a href={href('/checkout')}>View cart and check out</a>}
          </p>
        )}
        {product.description && <p class={styles.description}>{product.description}</p>}
      </div>
    </article>
  );
}
