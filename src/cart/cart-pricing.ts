import type { ProductStatus } from '../generated/prisma/enums.js';
import type { RawStatements } from '../prisma/direct-sql.js';
import { InvalidInputError, type FieldError } from '../common/errors/domain-errors.js';
import { whyNotSellable } from '../products/sellability.js';
import type { StockLevel } from '../inventory/stock-ledger.js';
import type { StockDemand } from '../inventory/stock-shortage.js';

/** What one cart may hold, for a quote and a checkout alike. */
export const CART_LIMITS = { lines: 50, quantity: 100 } as const;

/** Amount columns are 32-bit integers: no cart may total more. */
export const MAX_AMOUNT_MINOR = 2_147_483_647;

export interface CartLine {
  variantId: string;
  quantity: number;
}

export interface PricedLine {
  variantId: string;
  sku: string;
  productId: string;
  productName: string;
  variantName: string;
  unitPriceMinor: number;
  quantity: number;
  lineTotalMinor: number;
}

export interface PricedCart {
  /** The lines as given, priced from the catalogue. */
  lines: PricedLine[];
  currency: string;
  totalMinor: number;
  demand: StockDemand;
  /** Stock as last committed, read with the prices (no lock): advice for a quote, an early refusal for checkout. */
  levels: Map<string, StockLevel>;
}

interface VariantRow {
  variantId: string;
  sku: string;
  variantName: string;
  priceMinor: number;
  currency: string;
  active: boolean;
  productId: string;
  productName: string;
  productStatus: ProductStatus;
  availableFrom: Date | null;
  onHand: number;
  reserved: number;
}

/**
 * Prices a cart from the catalogue (never from the client) in one query that takes no locks, and checks that every
 * line can be sold now, in one currency, within what an amount column holds. Bad lines are input errors naming the
 * line (items.N.variantId). The quote and checkout both price through this; checkout re-checks stock under lock.
 */
export async function priceCart(db: Pick<RawStatements, '$queryRaw'>, items: CartLine[], now = new Date()): Promise<PricedCart> {
  const ids = [...new Set(items.map((i) => i.variantId))];
  const rows = await db.$queryRaw<VariantRow[]>`
    SELECT v.id::text AS "variantId", v.sku, v.name AS "variantName", v.price_minor AS "priceMinor", v.currency, v.active,
           p.id::text AS "productId", p.name AS "productName", p.status::text AS "productStatus", p.available_from AS "availableFrom",
           COALESCE(il.on_hand, 0) AS "onHand", COALESCE(il.reserved, 0) AS reserved
    FROM variants v JOIN products p ON p.id = v.product_id LEFT JOIN inventory_levels il ON il.variant_id = v.id
    WHERE v.id = ANY(${ids}::uuid[])`;
  const variants = new Map(rows.map((r) => [r.variantId, r]));

  const priced: { item: CartLine; variant: VariantRow }[] = [];
  const unsellable: FieldError[] = [];
  items.forEach((item, i) => {
    const variant = variants.get(item.variantId);
    const problem = whyNotSellable(variant, item.variantId, now);
    if (problem || !variant) unsellable.push({ field: `items.${i}.variantId`, errors: [problem ?? 'is not for sale'] });
    else priced.push({ item, variant });
  });
  if (unsellable.length) throw new InvalidInputError('Some items cannot be ordered', unsellable);

  const currency = priced[0].variant.currency;
  const otherCurrency = priced.flatMap(({ variant }, i): FieldError[] =>
    variant.currency === currency
      ? []
      : [{ field: `items.${i}.variantId`, errors: [`priced in ${variant.currency} while the cart is in ${currency}`] }],
  );
  if (otherCurrency.length) throw new InvalidInputError('A cart can hold items of one currency only', otherCurrency);

  const lines = priced.map(({ item, variant: v }) => ({
    variantId: v.variantId,
    sku: v.sku,
    productId: v.productId,
    productName: v.productName,
    variantName: v.variantName,
    unitPriceMinor: v.priceMinor,
    quantity: item.quantity,
    lineTotalMinor: v.priceMinor * item.quantity,
  }));
  const totalMinor = lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  if (totalMinor > MAX_AMOUNT_MINOR) {
    throw new InvalidInputError('The cart total is too large', [
      { field: 'items', errors: [`the total may not exceed ${MAX_AMOUNT_MINOR} minor units`] },
    ]);
  }
  const demand: StockDemand = new Map();
  for (const line of lines)
    demand.set(line.variantId, { sku: line.sku, quantity: (demand.get(line.variantId)?.quantity ?? 0) + line.quantity });
  const levels = new Map(rows.map((r) => [r.variantId, { variantId: r.variantId, onHand: r.onHand, reserved: r.reserved }]));
  return { lines, currency, totalMinor, demand, levels };
}
