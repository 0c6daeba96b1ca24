import type { ComponentChildren } from 'preact';
import type { Brand } from '../model.js';
import { useCart } from '../lib/cart.js';
import { useShopHref } from '../lib/base.js';
import styles from './Layout.module.css';

/** The brand's frame around every storefront page: logo or name, the way to the cart and to tracking, support. */
export function Layout({ brand, children }: { brand: Brand; children: ComponentChildren }) {
  const cart = useCart();
  const href = useShopHref();
  const count = cart.reduce((sum, line) => sum + line.quantity, 0);
  return (
    <div class={styles.frame}>
      <a class={`${styles.skip} visually-hidden`} href="#main">
        Skip to content
      </a>
      <header class={styles.header}>
        <a class={styles.brand} href={href('/shop')}>
          {brand.logoUrl ? (
            <img class={styles.logo} src={brand.logoUrl} alt={brand.name} height={32} />
          ) : (
            <span class={styles.name}>{brand.name}</span>
          )}
        </a>
        <nav class={styles.nav} aria-label="Shop">
          <a href={href('/track')}>Track order</a>
          <a class={styles.cart} href={href('/checkout')} aria-label={count ? `Cart, ${count} item${count === 1 ? '' : 's'}` : 'Cart'}>
            Cart
            {count > 0 && (
              <span class={styles.count} aria-hidden="true">
                {count}
              </span>
            )}
          </a>
        </nav>
      </header>
      <main id="main" class={styles.main} tabIndex={-1}>
        {children}
      </main>
      <footer class={styles.footer}>
        <span>{brand.name}</span>
        {brand.supportPhone && <a href={`tel:${brand.supportPhone.replace(/[^\d+]/g, '')}`}>{brand.supportPhone}</a>}
        {brand.supportEmail && <a href={`mailto:${brand.supportEmail}`}>{brand.supportEmail}</a>}
      </footer>
    </div>
  );
}
