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

/**
 * The window of the drop (README "Drops": a scheduled sale of some variants, with early access and an end) that
 * governs a product: of the drops listing its variants, the one that starts last, as checkout applies it.
 */
export interface SaleWindow {
  id: string;
  name: string;
  startsAt: Date;
  endsAt: Date | null;
  earlyAccessStartsAt: Date | null;
}

/** Whether anyone can buy the product at `now`: active, past its availableFrom, inside its drop's window. */
export function purchasableAt(product: { status: string; availableFrom: Date | null; drop: SaleWindow | null }, now: number): boolean {
  if (product.status !== 'ACTIVE') return false;
  if (product.availableFrom && product.availableFrom.getTime() > now) return false;
  const drop = product.drop;
  return !drop || (drop.startsAt.getTime() <= now && (!drop.endsAt || drop.endsAt.getTime() > now));
}

/** The moments after `now` at which what the catalogue says of the product (purchasable, the drop's phase) changes. */
export function changesOf(product: { availableFrom: Date | null; drop?: SaleWindow | null }, now: number): number[] {
  const drop = product.drop;
  return [product.availableFrom, drop?.earlyAccessStartsAt, drop?.startsAt, drop?.endsAt]
    .map((at) => at?.getTime())
    .filter((at): at is number => at !== undefined && at > now);
}
