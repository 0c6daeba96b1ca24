import type { ShopData } from './model.js';
import { Layout } from './components/Layout.js';
import { GridPage } from './pages/GridPage.js';
import { ProductPage } from './pages/ProductPage.js';
import { CheckoutPage } from './pages/CheckoutPage.js';
import { PayPage } from './pages/PayPage.js';
import { TrackPage } from './pages/TrackPage.js';
import { ShopBaseProvider, useShopHref } from './lib/base.js';

/**
 * The storefront: one page per route, chosen by the server (which matched the URL and loaded the page's data). The
 * same tree renders to HTML on the server (server.tsx) and hydrates in the browser (main.tsx).
 */
export function ShopApp({ data }: { data: ShopData }) {
  return (
    <ShopBaseProvider value={data.base}>
      <Layout brand={data.brand}>{page(data)}</Layout>
    </ShopBaseProvider>
  );
}

function page(data: ShopData) {
  const route = data.route;
  switch (route.page) {
    case 'grid':
      return <GridPage data={data} />;
    case 'product':
      return data.product ? <ProductPage data={data} /> : <NotFound />;
    case 'checkout':
      return <CheckoutPage data={data} />;
    case 'pay':
      return <PayPage data={data} orderId={route.orderId} />;
    case 'track':
      return <TrackPage data={data} />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  const href = useShopHref();
  return (
    <>
      <h1>Not found</h1>
      <p>This product is not in the shop (any more).</p>
      <p>
        <a href={href('/shop')}>See everything in the shop</a>
      </p>
    </>
  );
}
