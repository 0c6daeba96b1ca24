import { renderToString } from 'preact-render-to-string';
import type { ShopData } from './model.js';
import { ShopApp } from './App.js';

/**
 * The storefront's server renderer, built by `vite build --ssr` into dist/ssr/shop-server.js and called by the Nest
 * app (src/storefront) for every storefront page: the HTML of the page's content for `data`. Preact escapes every
 * text and attribute value.
 */
export function renderShop(data: ShopData): string {
  return renderToString(<ShopApp data={data} />);
}
