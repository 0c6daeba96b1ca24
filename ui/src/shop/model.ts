import type { Schemas } from '@orderline/client';

/**
 * What the server hands the storefront with each page (a JSON element in the HTML; the server renderer gets the same
 * object): the route it matched, the brand, the locale it formatted with, its clock, and the page's public data.
 */
export type Product = Schemas['ProductResponse'];
export type Variant = Product['variants'][number];
export type Brand = Schemas['BrandResponse'];
export type PaymentOption = Schemas['PaymentMethodOption'];

export type Route =
  | { page: 'grid' }
  | { page: 'product'; slug: string }
  | { page: 'checkout' }
  | { page: 'pay'; orderId: string }
  | { page: 'track' }
  | { page: 'not-found' };

export interface ShopData {
  route: Route;
  brand: Brand;
  /** The brand path prefix the page was opened under (`/b/<slug>`, platform mode) or '': the start of every link. */
  base: string;
  /** BCP 47 locale the page is formatted in (from Accept-Language), the same on the server and in the browser. */
  locale: string;
  /** The server's clock when it rendered the page (ISO 8601): countdowns start from it. */
  serverTime: string;
  products?: Product[];
  product?: Product | null;
  paymentOptions?: PaymentOption[];
}

export type DropState = 'upcoming' | 'open' | 'ended';

/**
 * A product's sale window at `now` — the storefront's mirror of the server's purchasableAt (src/products/drop-state.ts):
 * it opens at the later of its availableFrom and its drop's start, and closes when its drop ends.
 */
export function dropOf(
  product: Pick<Product, 'availableFrom' | 'drop'>,
  now: number,
): { state: DropState; opensAt: number | null; endsAt: number | null } {
  const starts = [product.availableFrom, product.drop?.startsAt].flatMap((at) => (at ? [Date.parse(at)] : []));
  const opensAt = starts.length ? Math.max(...starts) : null;
  const endsAt = product.drop?.endsAt ? Date.parse(product.drop.endsAt) : null;
  const state = endsAt !== null && endsAt <= now ? 'ended' : opensAt !== null && opensAt > now ? 'upcoming' : 'open';
  return { state, opensAt, endsAt };
}

/** A product's first image. Rows written outside the API may hold NULL images, whatever the generated type says. */
export const firstImage = (product: { images: readonly string[] | null }): string | undefined => product.images?.[0];
