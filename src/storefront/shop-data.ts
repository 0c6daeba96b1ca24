import type { BrandProfile } from '../settings/settings.service.js';
import type { ProductResponse } from '../products/dto/products.dto.js';

/**
 * What each storefront page is rendered from, on the server and again in the browser (it travels in the page as JSON):
 * the route, the brand, the locale and clock of the render, and the page's public data. Mirrors ui/src/shop/model.ts.
 */
export type ShopRoute =
  | { page: 'grid' }
  | { page: 'product'; slug: string }
  | { page: 'checkout' }
  | { page: 'pay'; orderId: string }
  | { page: 'track' }
  | { page: 'not-found' };

export interface ShopData {
  route: ShopRoute;
  brand: Omit<BrandProfile, 'slug'> & { slug: string };
  /**
   * The brand's path prefix this page was opened under (`/b/<slug>` in platform mode, else ''): every link the page
   * makes starts with it, so a brand served under the prefix stays that brand. Set from the request's resolution.
   */
  base: string;
  locale: string;
  serverTime: string;
  products?: ProductResponse[];
  product?: ProductResponse | null;
  paymentOptions?: { method: string; publicKey?: string }[];
}

/** What goes into the page's <head> besides the built bundle's own tags. */
export interface PageHead {
  title: string;
  description: string;
  /** Absolute URL of the page, for og:url and the canonical link; absent for pages not to be indexed. */
  url?: string;
  /** Open Graph and indexing: a product (title, price, image), the shop (title, logo), or a private page (noindex). */
  kind: 'product' | 'website' | 'private';
  image?: string;
  price?: { amount: string; currency: string };
}

export interface ShopPage {
  status: number;
  data: ShopData;
  head: PageHead;
}
