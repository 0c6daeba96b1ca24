import { randomUUID } from 'node:crypto';

export interface CheckoutLine {
  variantId: string;
  quantity: number;
}

/** A valid checkout body; contact details are unique per call so lookups and searches find exactly one order. */
export function checkoutBody(items: CheckoutLine[], overrides: Record<string, unknown> = {}) {
  const tag = randomUUID().slice(0, 8);
  return {
    items,
    contact: { name: `Asha ${tag}`, email: `asha-${tag}@example.com`, phone: `+9198${String(parseInt(tag, 16) % 1e8).padStart(8, '0')}` },
    shippingAddress: { line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', postalCode: '560001', country: 'IN' },
    paymentMethod: 'cod',
    ...overrides,
  };
}
