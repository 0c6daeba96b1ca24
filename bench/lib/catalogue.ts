import type { AutocannonRequest } from 'autocannon';
import type pg from 'pg';
import type { RawOutcome } from './raw-load.js';

const PAGES = 10;
const PAGE_SIZE = 20;
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)];
const randomPage = () => 1 + Math.floor(Math.random() * PAGES);

/** GET /products, one of the first pages (newest first, default page size), as a shopper browsing. */
export function listRequests(): AutocannonRequest[] {
  return [
    { method: 'GET', path: '/products', setupRequest: (req) => ({ ...req, path: `/products?page=${randomPage()}&limit=${PAGE_SIZE}` }) },
  ];
}

/** GET /products/:slug over all seeded products. */
export function detailRequests(slugs: string[]): AutocannonRequest[] {
  return [{ method: 'GET', path: '/products', setupRequest: (req) => ({ ...req, path: `/products/${pick(slugs)}` }) }];
}

/**
 * GET /shop/:slug over all seeded products: the storefront's product page, rendered on the server to HTML (with its
 * link-preview tags and data) — what a shared link costs. Its raw baseline is the product read alone (rawDetail).
 */
export function shopPageRequests(slugs: string[]): AutocannonRequest[] {
  return [
    {
      method: 'GET',
      path: '/shop',
      headers: { 'accept-language': 'en-IN' },
      setupRequest: (req) => ({ ...req, path: `/shop/${pick(slugs)}` }),
    },
  ];
}

/**
 * Raw equivalents of the catalogue reads: the product page with its variants and live availability aggregated in
 * one statement, and the page count — what a hand-written endpoint would ask PostgreSQL for.
 */
const PRODUCT_JSON = `
  p.id, p.slug, p.name, p.description, p.category, p.images, p.status, p.available_from, p.created_at, p.updated_at,
  COALESCE((SELECT json_agg(json_build_object('id', v.id, 'sku', v.sku, 'name', v.name, 'attributes', v.attributes,
      'priceMinor', v.price_minor, 'currency', v.currency, 'available', COALESCE(il.on_hand - il.reserved, 0), 'active', v.active)
      ORDER BY v.created_at, v.id)
    FROM variants v LEFT JOIN inventory_levels il ON il.variant_id = v.id WHERE v.product_id = p.id AND v.active), '[]'::json) AS variants`;

export async function rawList(client: pg.Client): Promise<RawOutcome> {
  await client.query({
    name: 'bench-list',
    text: `SELECT ${PRODUCT_JSON}, (SELECT count(*)::int FROM products WHERE status = 'ACTIVE') AS total
           FROM (SELECT * FROM products WHERE status = 'ACTIVE' ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2) p
           ORDER BY p.created_at DESC, p.id DESC`,
    values: [PAGE_SIZE, (randomPage() - 1) * PAGE_SIZE],
  });
  return 'ok';
}

export function rawDetail(slugs: string[]) {
  return async (client: pg.Client): Promise<RawOutcome> => {
    const { rows } = await client.query({
      name: 'bench-detail',
      text: `SELECT ${PRODUCT_JSON} FROM products p WHERE p.slug = $1 AND p.status = 'ACTIVE'`,
      values: [pick(slugs)],
    });
    if (!rows.length) throw new Error('seeded product not found');
    return 'ok';
  };
}
