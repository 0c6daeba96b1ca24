import { render } from 'preact';
import '../base.css';
import styles from './Placeholder.module.css';

/**
 * The storefront's entry (/shop, /shop/:slug, /pay/:orderId, /track). The storefront itself is issue 15; until then
 * this page says which of its routes was reached, which proves the serving and routing of the storefront bundle.
 */
function routeName(path: string): string {
  if (/^\/shop\/[^/]+\/?$/.test(path)) return 'product page';
  if (path.startsWith('/pay/')) return 'payment status page';
  if (path.startsWith('/track')) return 'order tracking page';
  return 'shop';
}

function Placeholder() {
  return (
    <main class={styles.page}>
      <h1>This store is not open online yet</h1>
      <p class="muted" data-route={routeName(location.pathname)}>
        The {routeName(location.pathname)} will be here. To order, contact the brand directly.
      </p>
    </main>
  );
}

const root = document.getElementById('app');
if (!root) throw new Error('The page has no #app element');
render(<Placeholder />, root);
