import type { Schemas } from '@orderline/client';
import { formatMoney } from '../../lib/money.js';

export type Customer = Schemas['CustomerSummaryResponse'];

export const lifetime = (customer: Customer) =>
  customer.lifetimeValue.length ? customer.lifetimeValue.map((v) => formatMoney(v.amountMinor, v.currency)).join(' + ') : '—';
export const customerHref = (phone: string) => `/console/customers/${encodeURIComponent(phone)}`;
