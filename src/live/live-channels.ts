/**
 * The PostgreSQL channels that the triggers of migration 20261210000000_live_events notify on, with the payload of one
 * change on each. A notification carries a JSON array of up to 40 changes (one statement may change many rows); they
 * arrive in commit order, and a change describes the row as it was committed.
 */
export const LIVE_CHANNELS = {
  /** Every order inserted or updated (any column). */
  orders: 'orderline_orders',
  /** Every variant whose available stock (on hand − reserved) changed. */
  stock: 'orderline_stock',
  /** Every product created or changed, directly or through one of its variants. */
  catalogue: 'orderline_catalogue',
} as const;

export type LiveChannel = keyof typeof LIVE_CHANNELS;

export interface OrderChange {
  id: string;
  number: string;
  status: string;
  /** The order's updated_at: a later change of the same order has a later (or equal) value. */
  updatedAt: string;
}

export interface StockChange {
  variantId: string;
  productId: string;
  /** On hand − reserved after the change. Public: the catalogue shows it too. */
  available: number;
}

export interface CatalogueChange {
  productId: string;
  updatedAt: string;
}

export interface LiveChanges {
  orders: OrderChange;
  stock: StockChange;
  catalogue: CatalogueChange;
}

const CHANNEL_BY_NAME = new Map<string, LiveChannel>(Object.entries(LIVE_CHANNELS).map(([key, name]) => [name, key as LiveChannel]));

/** The channel key of a PostgreSQL channel name, or undefined for one that is not ours. */
export function liveChannelOf(name: string): LiveChannel | undefined {
  return CHANNEL_BY_NAME.get(name);
}

/** Timestamps come from json_build_object as "2026-12-03T11:01:30.218+00:00"; the API speaks ISO 8601 in UTC. */
const toIso = (value: string) => new Date(value).toISOString();

/** Parses one notification's payload into its changes; malformed payloads (not from our triggers) yield none. */
export function parseChanges<C extends LiveChannel>(channel: C, payload: string | undefined): LiveChanges[C][] {
  let rows: unknown;
  try {
    rows = JSON.parse(payload ?? '');
  } catch {
    return [];
  }
  if (!Array.isArray(rows)) return [];
  const valid = rows.filter((row): row is Record<string, unknown> => typeof row === 'object' && row !== null);
  switch (channel) {
    case 'orders':
      return valid
        .filter((r) => typeof r.id === 'string' && typeof r.status === 'string')
        .map((r) => ({
          id: String(r.id),
          number: String(r.number),
          status: String(r.status),
          updatedAt: toIso(String(r.updatedAt)),
        })) as LiveChanges[C][];
    case 'stock':
      return valid
        .filter((r) => typeof r.variantId === 'string' && typeof r.productId === 'string' && Number.isInteger(r.available))
        .map((r) => ({
          variantId: String(r.variantId),
          productId: String(r.productId),
          available: Number(r.available),
        })) as LiveChanges[C][];
    case 'catalogue':
      return valid
        .filter((r) => typeof r.productId === 'string')
        .map((r) => ({ productId: String(r.productId), updatedAt: toIso(String(r.updatedAt)) })) as LiveChanges[C][];
  }
  return [];
}
