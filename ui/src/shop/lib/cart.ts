import { useEffect, useState } from 'preact/hooks';
import { brandBase } from '../../lib/brand-base.js';

/** One cart line, with what the cart page shows before it asks the API for current prices and stock. */
export interface CartLine {
  variantId: string;
  productId: string;
  productSlug: string;
  productName: string;
  variantName: string;
  priceMinor: number;
  currency: string;
  image?: string;
  quantity: number;
}

/** Per brand prefix: brands under `/b/<slug>` share the origin's storage, and a cart holds one brand's variants. */
const key = () => `orderline:cart${brandBase()}`;
/** The API's limit per line. */
export const MAX_QUANTITY = 100;
const listeners = new Set<() => void>();

function valid(line: unknown): line is CartLine {
  if (typeof line !== 'object' || line === null) return false;
  const l = line as CartLine;
  return (
    typeof l.variantId === 'string' &&
    typeof l.productId === 'string' &&
    Number.isInteger(l.quantity) &&
    l.quantity > 0 &&
    typeof l.currency === 'string'
  );
}

/** The cart in this browser (localStorage: it survives closing the tab; it never leaves the device until checkout). */
export function readCart(): CartLine[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(key()) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(valid) : [];
  } catch {
    return [];
  }
}

function writeCart(lines: CartLine[]): void {
  try {
    localStorage.setItem(key(), JSON.stringify(lines));
  } catch {
    // Storage full or blocked (private mode): the cart lives as long as the page.
  }
  listeners.forEach((listener) => listener());
}

export type AddResult = { ok: true } | { ok: false; reason: string };

export function addToCart(line: Omit<CartLine, 'quantity'>, quantity: number, available: number): AddResult {
  const lines = readCart();
  const other = lines.find((l) => l.currency !== line.currency);
  if (other) return { ok: false, reason: `Your cart holds items priced in ${other.currency}. Check those out first, or remove them.` };
  const existing = lines.find((l) => l.variantId === line.variantId);
  const wanted = (existing?.quantity ?? 0) + quantity;
  const limit = Math.min(MAX_QUANTITY, available);
  if (wanted > limit)
    return {
      ok: false,
      reason: limit <= (existing?.quantity ?? 0) ? `You already have all ${limit} left in your cart.` : `Only ${limit} left.`,
    };
  writeCart(existing ? lines.map((l) => (l === existing ? { ...l, ...line, quantity: wanted } : l)) : [...lines, { ...line, quantity }]);
  return { ok: true };
}

export function setQuantity(variantId: string, quantity: number): void {
  writeCart(
    readCart().flatMap((l) =>
      l.variantId !== variantId ? [l] : quantity > 0 ? [{ ...l, quantity: Math.min(MAX_QUANTITY, quantity) }] : [],
    ),
  );
}

export function removeFromCart(variantId: string): void {
  setQuantity(variantId, 0);
}

export function clearCart(): void {
  writeCart([]);
}

/**
 * The cart, kept current (also when another tab changes it). Empty on the first render — which the server rendered
 * without a cart — then the stored one.
 */
export function useCart(): CartLine[] {
  const [lines, setLines] = useState<CartLine[]>([]);
  useEffect(() => {
    const update = () => setLines(readCart());
    update();
    listeners.add(update);
    const onStorage = (event: StorageEvent) => event.key === key() && update();
    addEventListener('storage', onStorage);
    return () => {
      listeners.delete(update);
      removeEventListener('storage', onStorage);
    };
  }, []);
  return lines;
}
