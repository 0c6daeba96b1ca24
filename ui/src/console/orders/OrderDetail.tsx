import { unwrap } from '@orderline/client';
import { useEffect, useRef } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatMoney } from '../../lib/money.js';
import { Link } from '../../lib/router.js';
import { formatDateTime } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { useSubmit } from '../../lib/use-submit.js';
import { listenLive } from '../../shop/lib/live.js';
import { api } from '../session.js';
import { PROVIDER, STATUS, type OrderView, type PaymentSummary } from './labels.js';
import { OrderActions } from './OrderActions.js';
import { Timeline } from './Timeline.js';
import styles from './OrderDetail.module.css';
import pageStyles from '../Page.module.css';

async function loadOrder(id: string): Promise<OrderView> {
  const path = { id };
  const [order, payment, returns, audit] = await Promise.all([
    unwrap(api.GET('/orders/{id}', { params: { path } })),
    unwrap(api.GET('/orders/{id}/payment', { params: { path } })),
    unwrap(api.GET('/orders/{id}/returns', { params: { path } })),
    unwrap(api.GET('/audit', { params: { query: { entityType: 'order', entityId: id, limit: 100 } } })),
  ]);
  return { order, payment, returns, audit: audit.items };
}

/**
 * One order, opened from the list: first what staff can do now (only what its status allows), then the items, the
 * customer, the money and the timeline.
 */
export function OrderDetail({ id, closeHref, onChanged }: { id: string; closeHref: string; onChanged: (id: string) => void }) {
  const view = useAsync(() => loadOrder(id), [id]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus({ preventScroll: true }), [id]);
  const data = view.data;
  const order = data?.order;
  // Live: when the order changes elsewhere (a payment webhook, another staff member), read it again.
  const seen = useRef<string | undefined>(undefined);
  seen.current = order?.updatedAt;
  useEffect(
    () =>
      listenLive({
        connect: (signal) => api.GET('/live/orders/{id}', { params: { path: { id } }, parseAs: 'stream', signal }),
        onEvent(event, change) {
          const updatedAt = (change as { updatedAt?: string }).updatedAt;
          if (event === 'order' && seen.current && updatedAt && new Date(updatedAt).getTime() !== new Date(seen.current).getTime()) {
            view.reload();
          }
        },
      }),
    [id],
  );

  return (
    <aside class={styles.panel} aria-labelledby="order-title" aria-busy={view.loading}>
      <header class={styles.head}>
        <h2 id="order-title" ref={heading} tabIndex={-1} class={styles.title}>
          <span class="mono">{order?.number ?? 'Order'}</span>
          {order && <Badge tone={STATUS[order.status].tone}>{STATUS[order.status].label}</Badge>}
        </h2>
        <Link href={closeHref} class={styles.close} aria-label="Close order (Esc)">
          ✕
        </Link>
      </header>

      {view.error !== undefined && <ErrorNotice error={view.error} onRetry={view.reload} />}

      {!data ? (
        view.loading && (
          <div class={styles.body}>
            <div class={`${styles.card} ${styles.placeholder}`} />
            <div class={`${styles.card} ${styles.placeholder}`} />
          </div>
        )
      ) : (
        <div class={styles.body}>
          <p class="muted">
            Placed {formatDateTime(data.order.createdAt)} · {PROVIDER[data.order.paymentMethod] ?? data.order.paymentMethod}
            {data.order.reservationExpiresAt && data.order.status === 'PAYMENT_PENDING' && (
              <> · stock held until {formatDateTime(data.order.reservationExpiresAt)}</>
            )}
          </p>
          {data.payment.needsReview && (
            <p class={styles.review} role="note">
              Payment processing flagged this order for review: see the timeline below.
            </p>
          )}

          <OrderActions
            view={data}
            onDone={() => {
              view.reload();
              onChanged(id);
            }}
          />

          <section class={styles.card} aria-labelledby="items-title">
            <h3 id="items-title">Items</h3>
            <table class={styles.items}>
              <tbody>
                {data.order.items.map((item) => (
                  <tr key={item.id}>
                    <td>
                      <div>
                        {item.productName} — {item.variantName}
                      </div>
                      <div class="muted mono">{item.sku}</div>
                    </td>
                    <td class={`num ${styles.quantity}`}>
                      {item.quantity} × {formatMoney(item.unitPriceMinor, data.order.currency)}
                    </td>
                    <td class={`num ${styles.amount}`}>{formatMoney(item.lineTotalMinor, data.order.currency)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th colSpan={2}>Total</th>
                  <td class={`num ${styles.amount}`}>{formatMoney(data.order.totalMinor, data.order.currency)}</td>
                </tr>
              </tfoot>
            </table>
          </section>

          <section class={styles.card} aria-labelledby="customer-title">
            <h3 id="customer-title">Customer</h3>
            <p>{data.order.customerName}</p>
            <p>
              <a href={`tel:${data.order.phone}`}>{data.order.phone}</a>
              {data.order.email && (
                <>
                  {' · '}
                  <a href={`mailto:${data.order.email}`}>{data.order.email}</a>
                </>
              )}
            </p>
            <address class={styles.address}>
              {[
                data.order.shippingAddress.line1,
                data.order.shippingAddress.line2,
                [data.order.shippingAddress.city, data.order.shippingAddress.state, data.order.shippingAddress.postalCode]
                  .filter(Boolean)
                  .join(', '),
                data.order.shippingAddress.country,
              ]
                .filter(Boolean)
                .map((line) => (
                  <div key={line}>{line}</div>
                ))}
            </address>
            {(data.order.carrier || data.order.trackingNumber) && (
              <p>
                Shipped with {data.order.carrier ?? 'a carrier'}
                {data.order.trackingNumber && (
                  <>
                    , tracking <span class="mono">{data.order.trackingNumber}</span>
                  </>
                )}
              </p>
            )}
          </section>

          <PaymentSection
            orderId={data.order.id}
            paymentMethod={data.order.paymentMethod}
            payment={data.payment}
            onReconciled={() => {
              view.reload();
              onChanged(id);
            }}
          />

          {data.returns.length > 0 && (
            <section class={styles.card} aria-labelledby="returns-title">
              <h3 id="returns-title">Returns</h3>
              {data.returns.map((ret) => (
                <div key={ret.id} class={styles.returnRow}>
                  <Badge tone={ret.status === 'REJECTED' ? 'neutral' : ret.status === 'RECEIVED' ? 'success' : 'warning'}>
                    {ret.status.toLowerCase()}
                  </Badge>
                  <span>
                    {ret.items
                      .map((line) => `${line.quantity} × ${data.order.items.find((i) => i.id === line.orderItemId)?.variantName ?? 'item'}`)
                      .join(', ')}
                  </span>
                  <span class="muted">“{ret.reason}”</span>
                </div>
              ))}
            </section>
          )}

          <section class={styles.card} aria-labelledby="timeline-title">
            <h3 id="timeline-title">Timeline</h3>
            <Timeline entries={data.audit} currency={data.order.currency} />
          </section>
        </div>
      )}
    </aside>
  );
}

/** What a reconciliation changed, in words: the money it found that webhooks had not brought. */
function describeReconciliation(before: PaymentSummary, after: PaymentSummary, providers: string): string {
  const money = (minor: number) => formatMoney(minor, after.currency);
  const changes = [
    after.paidMinor !== before.paidMinor && `paid is now ${money(after.paidMinor)}`,
    after.refundedMinor !== before.refundedMinor && `refunded is now ${money(after.refundedMinor)}`,
    after.pendingRefundMinor !== before.pendingRefundMinor && `refunds pending ${money(after.pendingRefundMinor)}`,
  ].filter(Boolean);
  return changes.length ? `Checked with ${providers}: ${changes.join(', ')}.` : `Checked with ${providers}: nothing was missed.`;
}

function PaymentSection({
  orderId,
  paymentMethod,
  payment,
  onReconciled,
}: {
  orderId: string;
  paymentMethod: string;
  payment: PaymentSummary;
  onReconciled: () => void;
}) {
  const money = (minor: number) => formatMoney(minor, payment.currency);
  const reconciliation = useSubmit();
  // Only payments a provider holds can be re-read from it (cash on delivery has no provider record).
  const providers = [
    ...new Set([paymentMethod, ...payment.attempts.map((a) => a.provider)].filter((p) => p !== 'COD').map((p) => PROVIDER[p] ?? p)),
  ];
  const reconcile = () =>
    reconciliation.run(async () => {
      const after = await unwrap(api.POST('/orders/{id}/payment/reconcile', { params: { path: { id: orderId } } }));
      onReconciled();
      return describeReconciliation(payment, after, providers.join(' and '));
    });
  return (
    <section class={styles.card} aria-labelledby="payment-title">
      <h3 id="payment-title">Payment</h3>
      {providers.length > 0 && (
        <div class={styles.reconcile}>
          <span class="muted">A webhook lost? Re-read this order's payments and refunds from {providers.join(' and ')}.</span>
          <Button size="small" busy={reconciliation.busy} onClick={() => void reconcile()}>
            Check with {providers.join(' and ')}
          </Button>
        </div>
      )}
      {reconciliation.notice && (
        <p class={pageStyles.done} role="status">
          {reconciliation.notice}
        </p>
      )}
      {reconciliation.error !== undefined && <ErrorNotice error={reconciliation.error} />}
      <dl class={styles.figures}>
        <div>
          <dt>Paid</dt>
          <dd class="num">{money(payment.paidMinor)}</dd>
        </div>
        <div>
          <dt>Refunded</dt>
          <dd class="num">{money(payment.refundedMinor)}</dd>
        </div>
        {payment.pendingRefundMinor > 0 && (
          <div>
            <dt>Refund pending</dt>
            <dd class="num">{money(payment.pendingRefundMinor)}</dd>
          </div>
        )}
        <div>
          <dt>Refundable</dt>
          <dd class="num" data-testid="refundable">
            {money(payment.refundableMinor)}
          </dd>
        </div>
      </dl>
      {payment.attempts.length > 0 && (
        <ul class={styles.lines} aria-label="Payment attempts">
          {payment.attempts.map((a) => (
            <li key={a.id}>
              <span>
                {PROVIDER[a.provider] ?? a.provider} <span class="mono muted">{a.providerPaymentId}</span>
              </span>
              <Badge tone={a.status === 'CAPTURED' ? (a.errorCode ? 'danger' : 'success') : a.status === 'FAILED' ? 'danger' : 'warning'}>
                {a.status.toLowerCase()}
                {a.errorCode ? ` · ${a.errorCode}` : ''}
              </Badge>
              <span class="num">{money(a.amountMinor)}</span>
            </li>
          ))}
        </ul>
      )}
      {payment.refunds.length > 0 && (
        <ul class={styles.lines} aria-label="Refunds">
          {payment.refunds.map((r) => (
            <li key={r.id}>
              <span>
                Refund{r.reason ? ` — “${r.reason}”` : ''}
                {r.automatic ? ' (automatic)' : ''}
              </span>
              <Badge tone={r.status === 'SUCCEEDED' ? 'success' : r.status === 'FAILED' ? 'danger' : 'warning'}>
                {r.status.toLowerCase()}
              </Badge>
              <span class="num">{money(r.amountMinor)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
