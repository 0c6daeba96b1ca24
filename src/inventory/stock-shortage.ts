import { ConflictError } from '../common/errors/domain-errors.js';
import type { StockLevel } from './stock-ledger.js';

export interface StockShortage {
  variantId: string;
  sku?: string;
  requested: number;
  available: number;
}

/** Summed quantity per variant (a variant may appear on several lines of one cart). */
export type StockDemand = Map<string, { sku?: string; quantity: number }>;

function describeShortage(lines: StockShortage[]): string {
  const name = (line: StockShortage) => line.sku ?? line.variantId;
  if (lines.every((line) => line.available <= 0)) return `Sold out: ${lines.map(name).join(', ')}`;
  return `Not enough stock: ${lines.map((line) => `${name(line)} (${line.requested} requested, ${Math.max(0, line.available)} left)`).join('; ')}`;
}

export class InsufficientStockError extends ConflictError {
  constructor(lines: StockShortage[]) {
    super(describeShortage(lines), { lines });
  }
}

/** The variants whose summed demand exceeds what is available (on hand − reserved); a variant without stock has none. */
export function shortages(demand: StockDemand, levels: Map<string, StockLevel>): StockShortage[] {
  return [...demand].flatMap(([variantId, { sku, quantity }]) => {
    const level = levels.get(variantId);
    const available = level ? level.onHand - level.reserved : 0;
    return available < quantity ? [{ variantId, ...(sku !== undefined && { sku }), requested: quantity, available }] : [];
  });
}
