import type { Schemas } from '@orderline/client';
import { formatMoney } from '../../lib/money.js';
import { formatDateTime } from '../../lib/time.js';
import { useSession } from '../session.js';
import { STATUS, isStatus } from './labels.js';
import styles from './Timeline.module.css';

type Entry = Schemas['AuditEntryResponse'];

const ACTIONS: Record<string, string> = {
  'order.created': 'Order placed',
  'order.await_payment': 'Waiting for payment',
  'order.confirm_cod': 'Confirmed for cash on delivery',
  'order.payment_succeeded': 'Paid',
  'order.payment_failed': 'Payment failed',
  'order.late_payment_accepted': 'Late payment accepted',
  'order.cancel': 'Cancelled',
  'order.expire': 'Expired: reserved stock released',
  'order.fulfill': 'Shipped',
  'order.deliver': 'Delivered',
  'order.request_return': 'Return requested',
  'order.reject_return': 'Return rejected',
  'order.receive_return': 'Returned goods received',
  'order.refund_partial': 'Partly refunded',
  'order.refund_full': 'Refunded in full',
  'order.flagged_for_review': 'Flagged for review',
  'payment.cash_collected': 'Cash collected',
  'payment.failure_recorded': 'Payment attempt failed',
  'payment.cancelled': 'Provider payment cancelled',
  'refund.requested': 'Refund requested',
  'refund.succeeded': 'Refund confirmed',
  'refund.failed': 'Refund failed',
  'refund.rejected': 'Refund refused by the provider',
  'refund.automatic_requested': 'Automatic refund started',
  'refund.recorded_from_provider': 'Refund made at the provider',
  'return.requested': 'Return requested',
  'return.accepted': 'Return accepted',
  'return.received': 'Return received',
  'return.rejected': 'Return rejected',
};

/** The short facts an audit entry carries: amount, reason, carrier and tracking. */
function details(entry: Entry, currency: string): string[] {
  const after = (entry.after ?? {}) as Record<string, unknown>;
  const facts: string[] = [];
  if (typeof after.amountMinor === 'number')
    facts.push(formatMoney(after.amountMinor, typeof after.currency === 'string' ? after.currency : currency));
  if (typeof after.carrier === 'string') facts.push(after.carrier);
  if (typeof after.trackingNumber === 'string') facts.push(`tracking ${after.trackingNumber}`);
  if (typeof after.reason === 'string' && after.reason) facts.push(`“${after.reason}”`);
  return facts;
}

/** The order's audit trail, newest first: what happened, who did it, and the request that did it. */
export function Timeline({ entries, currency }: { entries: Entry[]; currency: string }) {
  const session = useSession();
  const me = session.status === 'signed-in' ? session.user.id : undefined;
  if (!entries.length) return <p class="muted">Nothing recorded yet.</p>;
  const actor = (e: Entry) =>
    e.actorType === 'USER'
      ? e.actorId === me
        ? 'you'
        : 'a user'
      : e.actorType === 'PROVIDER'
        ? (e.actorId ?? 'provider')
        : e.actorType.toLowerCase();
  return (
    <ol class={styles.timeline}>
      {entries.map((entry) => {
        const after = (entry.after ?? {}) as Record<string, unknown>;
        const status = typeof after.status === 'string' && isStatus(after.status) ? STATUS[after.status].label : undefined;
        const label = ACTIONS[entry.action] ?? entry.action;
        return (
          <li key={entry.id}>
            <div class={styles.what}>
              <strong>{label}</strong>
              {status && label !== status && <span class="muted"> → {status}</span>}
              {details(entry, currency).map((fact) => (
                <span key={fact} class={styles.fact}>
                  {fact}
                </span>
              ))}
            </div>
            <div class={`${styles.meta} muted`}>
              <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt)}</time> · by {actor(entry)}
              {entry.requestId && (
                <>
                  {' '}
                  ·{' '}
                  <span class="mono" title="Request id">
                    {entry.requestId}
                  </span>
                </>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
