/** What decides whether a variant can be bought right now. */
export interface SellableVariant {
  sku: string;
  active: boolean;
  productStatus: string;
  availableFrom: Date | null;
}

/**
 * Why a variant cannot be bought at `now`, or undefined when it can: it exists, it and its product are active, and its
 * product is on sale.
 */
export function whyNotSellable(variant: SellableVariant | undefined, variantId: string, now: Date): string | undefined {
  if (!variant) return `variant ${variantId} does not exist`;
  if (!variant.active || variant.productStatus !== 'ACTIVE') return `${variant.sku} is not for sale`;
  if (variant.availableFrom && variant.availableFrom > now)
    return `${variant.sku} is not on sale until ${variant.availableFrom.toISOString()}`;
  return undefined;
}
