/**
 * When a product can be bought: its drop. Today a drop is the product's `availableFrom` (listed before, sold from then
 * on); richer drops (early access, an end time, per-customer limits) extend DropInfo and this one function, and every
 * reader — the storefront page, its countdown, the live stream that flips it open — follows.
 */
export type DropState = 'upcoming' | 'open';

export interface DropInfo {
  state: DropState;
  /** When the drop opens (ISO 8601); null for a product on sale with no scheduled start. */
  opensAt: string | null;
}

export function dropOf(product: { availableFrom: Date | null }, now: number): DropInfo {
  const opensAt = product.availableFrom;
  return { state: opensAt && opensAt.getTime() > now ? 'upcoming' : 'open', opensAt: opensAt?.toISOString() ?? null };
}
