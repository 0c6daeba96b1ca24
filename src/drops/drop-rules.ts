import { createHash } from 'node:crypto';
import { ConflictError, ForbiddenError } from '../common/errors/domain-errors.js';
import { nationalPhone } from '../common/http/transforms.js';

/** What the checkout path needs to know of a drop (cached per instance, see DropCatalog). */
export interface DropRules {
  id: string;
  name: string;
  startsAt: Date;
  endsAt: Date | null;
  earlyAccessStartsAt: Date | null;
  accessCodeHash: string | null;
  perCustomerLimit: number | null;
  perVariantLimit: number | null;
  perOrderLimit: number | null;
  variantIds: string[];
}

/** Where a drop stands at a moment: before any window, early access (listed customers only), open, ended. */
export type DropPhase = 'scheduled' | 'early_access' | 'open' | 'ended';

export function dropPhase(drop: Pick<DropRules, 'startsAt' | 'endsAt' | 'earlyAccessStartsAt'>, now: number): DropPhase {
  if (drop.endsAt && drop.endsAt.getTime() <= now) return 'ended';
  if (drop.startsAt.getTime() <= now) return 'open';
  if (drop.earlyAccessStartsAt && drop.earlyAccessStartsAt.getTime() <= now) return 'early_access';
  return 'scheduled';
}

/** The identities a customer is counted under: each of phone, email and account has its own counter. */
export function customerKeys(contact: { phone: string; email?: string | null }, userId?: string): string[] {
  const keys = [`phone:${nationalPhone(contact.phone)}`];
  if (contact.email) keys.push(`email:${contact.email.trim().toLowerCase()}`);
  if (userId) keys.push(`user:${userId}`);
  return keys;
}

/** An access-list key of a CSV cell: an email (has "@"), else a phone (6 to 15 digits); undefined for anything else. */
export function contactKeyOf(value: string): string | undefined {
  const cell = value.trim().replace(/^"|"$/g, '').trim();
  if (!cell) return undefined;
  if (cell.includes('@')) return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(cell) ? `email:${cell.toLowerCase()}` : undefined;
  const digits = cell.replace(/[\s().+-]/g, '');
  return /^[0-9]{6,15}$/.test(digits) ? `phone:${nationalPhone(digits)}` : undefined;
}

export const hashAccessCode = (code: string) => createHash('sha256').update(code.trim()).digest('hex');

/** Before the drop (or its early access) opens: 409 with the exact opening time, so the storefront can count down. */
export class DropNotOpenError extends ConflictError {
  constructor(drop: DropRules) {
    const opensAt = drop.startsAt.toISOString();
    super(`${drop.name} opens at ${opensAt}`, {
      code: 'DROP_NOT_OPEN',
      dropId: drop.id,
      opensAt,
      earlyAccessOpensAt: drop.earlyAccessStartsAt?.toISOString() ?? null,
    });
  }
}

/** During early access, for a customer not on the list and without the code: 403, with when everyone may buy. */
export class EarlyAccessOnlyError extends ForbiddenError {
  constructor(drop: DropRules) {
    const opensAt = drop.startsAt.toISOString();
    super(`${drop.name} is in early access for listed customers; it opens to everyone at ${opensAt}`, {
      code: 'EARLY_ACCESS_ONLY',
      dropId: drop.id,
      opensAt,
    });
  }
}

export class DropEndedError extends ConflictError {
  constructor(drop: DropRules, endedAt: Date) {
    super(`${drop.name} ended at ${endedAt.toISOString()}`, { code: 'DROP_ENDED', dropId: drop.id, endedAt: endedAt.toISOString() });
  }
}

/** The scope of the counter row that holds a customer's units across the whole drop (the others are variant ids). */
export const WHOLE_DROP = 'drop';

/** Throws DropLimitError when a counter row's value is over the drop's limit for its scope (whole drop, or a variant). */
export function assertCounterWithinLimit(
  drop: Pick<DropRules, 'id' | 'name' | 'perCustomerLimit' | 'perVariantLimit'>,
  row: { scope: string; quantity: number },
): void {
  if (row.scope === WHOLE_DROP && drop.perCustomerLimit !== null && row.quantity > drop.perCustomerLimit)
    throw new DropLimitError(drop, 'drop', drop.perCustomerLimit);
  if (row.scope !== WHOLE_DROP && drop.perVariantLimit !== null && row.quantity > drop.perVariantLimit)
    throw new DropLimitError(drop, 'variant', drop.perVariantLimit, row.scope);
}

/** More units than the drop allows one customer (per drop, per variant) or one order. */
export class DropLimitError extends ConflictError {
  constructor(drop: Pick<DropRules, 'id' | 'name'>, scope: 'order' | 'drop' | 'variant', limit: number, variantId?: string) {
    const what = scope === 'order' ? 'per order' : scope === 'drop' ? 'per customer' : 'per customer of each item';
    super(`${drop.name} allows ${limit} unit${limit === 1 ? '' : 's'} ${what}`, {
      code: 'DROP_LIMIT',
      dropId: drop.id,
      scope,
      limit,
      ...(variantId && { variantId }),
    });
  }
}
