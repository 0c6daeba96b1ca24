import type { ShopData } from '../model.js';
import { dropOf, firstImage } from '../model.js';
import { useLiveProducts } from '../lib/live-catalogue.js';
import { useNow } from '../lib/clock.js';
import { formatPrice } from '../lib/format.js';
import { Availability } from '../components/Availability.js';
import { DropCountdown } from '../components/DropCountdown.js';
import { ProductImage } from '../components/ProductImage.js';
import { useShopHref } from '../lib/base.js';
import styles from './Catalogue.module.css';

/** /shop: the brand's products, with price, stock and drop countdowns kept live. */
export function GridPage({ data }: { data: ShopData }) {
  const href = useShopHref();
  const { products, opened } = useLiveProducts(data.products ?? []);
  const visible = products.filter((p) => p.status === 'ACTIVE');
  // The clock ticks while a drop is (or was, at render time) upcoming.
  const now = useNow(
    data.serverTime,
    visible.some((p) => dropOf(p, Date.parse(data.serverTime)).state === 'upcoming'),
  );
  return (
    <>
      <h1 class={styles.title}>{data.brand.name}</h1>
      {visible.length === 0 ? (
        <p class="muted">Nothing is on sale right now. Come back soon.</p>
      ) : (
        <ul class={styles.grid} aria-label="Products">
          {visible.map((product) => {
            const prices = product.variants.map((v) => v.priceMinor);
            const from = Math.min(...prices);
            const currency = product.variants[0]?.currency ?? data.brand.defaultCurrency;
            const drop = dropOf(product, now);
            const upcoming = drop.state === 'upcoming' && !opened.has(product.id);
            const available = product.variants.reduce((sum, v) => sum + Math.max(0, v.available), 0);
            return (
              <li key={product.id} class={styles.card} data-product={product.slug}>
                <a class={styles.cardLink} href={href(`/shop/${encodeURIComponent(product.slug)}`)}>
                  <ProductImage src={firstImage(product)} alt={product.name} />
                  <span class={styles.cardName}>{product.name}</span>
                </a>
                <span class={styles.cardPrice}>
                  {prices.length ? `${new Set(prices).size > 1 ? 'From ' : ''}${formatPrice(from, currency, data.locale)}` : ''}
                </span>
                {upcoming && drop.opensAt !== null ? (
                  <DropCountdown opensAt={drop.opensAt} now={now} locale={data.locale} compact />
                ) : drop.state === 'ended' ? (
                  <span>Drop ended</span>
                ) : (
                  <Availability available={available} />
                )}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
