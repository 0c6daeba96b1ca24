import { unwrap } from '@orderline/client';
import { useRef, useState } from 'preact/hooks';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { newIdempotencyKey } from '../../lib/ids.js';
import { formatMoney } from '../../lib/money.js';
import { api } from '../session.js';
import { itemCount, STATUS } from './labels.js';
import type { OrderView } from './labels.js';
import { RefundForm } from './RefundForm.js';
import styles from './OrderActions.module.css';

type Panel = 'fulfil' | 'refund';
type Confirm = { kind: 'cancel' } | { kind: 'deliver' } | { kind: 'reject-return'; returnId: string };

/** Why there is nothing to do, for the statuses that allow no staff action. */
function idleReason(view: OrderView): string {
  const { order } = view;
  switch (order.status) {
    case 'CANCELLED':
    case 'EXPIRED':
      return (
        `Nothing to do: the order is ${STATUS[order.status].label.toLowerCase()} and its stock was released. Money that still ` +
        `arrives for it is accepted or refunded automatically.`
      );
    case 'REFUNDED':
      return 'Nothing to do: the order is refunded in full.';
    default:
      return `Nothing to do now: the order is ${STATUS[order.status].label.toLowerCase()} and nothing is left to refund.`;
  }
}

/**
 * "What can I do now?": one button per action the order's status allows (its nextEvents, from the state machine) and
 * its money allows (something left to refund), each saying what it will do. Destructive ones ask once.
 */
export function OrderActions({ view, onDone }: { view: OrderView; onDone: () => void }) {
  const { order, payment, returns } = view;
  const events = new Set(order.nextEvents);
  const [panel, setPanel] = useState<Panel>();
  const [confirm, setConfirm] = useState<Confirm>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [reason, setReason] = useState('');
  // One Idempotency-Key per action until it succeeds: a retry after a lost answer can never do it twice.
  const keys = useRef(new Map<string, string>());
  const keyFor = (action: string) => {
    const key = keys.current.get(action) ?? newIdempotencyKey();
    keys.current.set(action, key);
    return key;
  };

  const path = { id: order.id };
  const money = (minor: number) => formatMoney(minor, order.currency);
  const items = itemCount(order);
  const cod = order.paymentMethod === 'COD';
  const canRefund = (events.has('REFUND_PARTIAL') || events.has('REFUND_FULL')) && payment.refundableMinor > 0;
  const openReturn =
    order.status === 'RETURN_REQUESTED' ? returns.find((r) => r.status === 'REQUESTED' || r.status === 'ACCEPTED') : undefined;

  async function run(action: string, call: (key: string) => Promise<unknown>, done: string) {
    setBusy(action);
    setError(undefined);
    setNotice(undefined);
    try {
      await call(keyFor(action));
      keys.current.delete(action);
      setNotice(done);
      setPanel(undefined);
      setConfirm(undefined);
      setReason('');
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  }

  const open = (next: Panel) => {
    setError(undefined);
    setNotice(undefined);
    setPanel(panel === next ? undefined : next);
  };
  const ask = (next: Confirm) => {
    setError(undefined);
    setNotice(undefined);
    setReason('');
    setConfirm(next);
  };

  const deliver = () =>
    run(
      'deliver',
      (key) => unwrap(api.POST('/orders/{id}/deliver', { params: { path, header: { 'Idempotency-Key': key } } })),
      cod ? `Delivered; ${money(order.totalMinor)} cash recorded` : 'Marked delivered',
    );

  const buttons = [
    events.has('FULFILL') && (
      <Button
        key="fulfil"
        variant={panel === 'fulfil' ? 'default' : 'primary'}
        aria-expanded={panel === 'fulfil'}
        onClick={() => open('fulfil')}
      >
        Mark as shipped
      </Button>
    ),
    events.has('DELIVER') && (
      <Button key="deliver" variant="primary" busy={busy === 'deliver'} onClick={() => (cod ? ask({ kind: 'deliver' }) : deliver())}>
        {cod ? `Mark delivered, ${money(order.totalMinor)} collected` : 'Mark delivered'}
      </Button>
    ),
    openReturn?.status === 'REQUESTED' && (
      <Button
        key="accept"
        variant="primary"
        busy={busy === 'accept'}
        onClick={() =>
          run(
            'accept',
            () => unwrap(api.POST('/orders/{id}/returns/{returnId}/accept', { params: { path: { ...path, returnId: openReturn.id } } })),
            'Return accepted: the customer may send the goods',
          )
        }
      >
        Accept return
      </Button>
    ),
    openReturn?.status === 'ACCEPTED' && events.has('RECEIVE_RETURN') && (
      <Button
        key="receive"
        variant="primary"
        busy={busy === 'receive'}
        onClick={() =>
          run(
            'receive',
            (key) =>
              unwrap(
                api.POST('/orders/{id}/returns/{returnId}/receive', {
                  params: { path: { ...path, returnId: openReturn.id }, header: { 'Idempotency-Key': key } },
                  body: {},
                }),
              ),
            'Return received; the items are back in stock',
          )
        }
      >
        Receive returned items (restock {openReturn.items.reduce((sum, line) => sum + line.quantity, 0)})
      </Button>
    ),
    canRefund && (
      <Button key="refund" aria-expanded={panel === 'refund'} onClick={() => open('refund')}>
        Refund…
      </Button>
    ),
    openReturn && events.has('REJECT_RETURN') && (
      <Button key="reject" variant="danger" onClick={() => ask({ kind: 'reject-return', returnId: openReturn.id })}>
        Reject return…
      </Button>
    ),
    events.has('CANCEL') && (
      <Button key="cancel" variant="danger" onClick={() => ask({ kind: 'cancel' })}>
        Cancel order…
      </Button>
    ),
  ].filter(Boolean);

  return (
    <section class={styles.actions} aria-labelledby="actions-title">
      <h3 id="actions-title" class={styles.heading}>
        What you can do now
      </h3>
      {buttons.length ? <div class={styles.buttons}>{buttons}</div> : <p class="muted">{idleReason(view)}</p>}

      {notice && (
        <p class={styles.notice} role="status">
          {notice}
        </p>
      )}
      {error !== undefined && !confirm && <ErrorNotice error={error} />}

      {panel === 'fulfil' && (
        <form
          class={styles.panel}
          aria-label="Mark as shipped"
          onSubmit={(event) => {
            event.preventDefault();
            void run(
              'fulfil',
              (key) =>
                unwrap(
                  api.POST('/orders/{id}/fulfill', {
                    params: { path, header: { 'Idempotency-Key': key } },
                    body: { carrier: carrier.trim() || undefined, trackingNumber: tracking.trim() || undefined },
                  }),
                ),
              `Marked shipped${carrier.trim() ? ` with ${carrier.trim()}` : ''}`,
            );
          }}
        >
          <div class={styles.row}>
            <Field
              label="Carrier"
              name="carrier"
              autoFocus
              maxLength={100}
              value={carrier}
              onInput={(e) => setCarrier(e.currentTarget.value)}
            />
            <Field
              label="Tracking number"
              name="trackingNumber"
              maxLength={100}
              value={tracking}
              onInput={(e) => setTracking(e.currentTarget.value)}
            />
          </div>
          <div class={styles.panelButtons}>
            <Button onClick={() => setPanel(undefined)}>Close</Button>
            <Button type="submit" variant="primary" busy={busy === 'fulfil'}>
              Mark {order.number} shipped
            </Button>
          </div>
        </form>
      )}

      {panel === 'refund' && canRefund && (
        <RefundForm
          view={view}
          onClose={() => setPanel(undefined)}
          onRefunded={(message) => {
            setPanel(undefined);
            setNotice(message);
            onDone();
          }}
        />
      )}

      {confirm?.kind === 'cancel' && (
        <ConfirmDialog
          title={`Cancel ${order.number}?`}
          tone="danger"
          confirmLabel="Cancel order"
          busy={busy === 'cancel'}
          error={error}
          onClose={() => setConfirm(undefined)}
          onConfirm={() =>
            run(
              'cancel',
              (key) =>
                unwrap(
                  api.POST('/orders/{id}/cancel', {
                    params: { path, header: { 'Idempotency-Key': key } },
                    body: { reason: reason.trim() || undefined },
                  }),
                ),
              'Order cancelled',
            )
          }
        >
          <p>
            {order.status === 'CONFIRMED'
              ? `The ${items} ${items === 1 ? 'item goes' : 'items go'} back into stock.`
              : `The ${items} reserved ${items === 1 ? 'item goes' : 'items go'} back on sale and the customer can no longer pay for this order.`}
          </p>
          <Field
            label="Reason (optional, shown in the timeline)"
            multiline
            maxLength={500}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </ConfirmDialog>
      )}

      {confirm?.kind === 'deliver' && (
        <ConfirmDialog
          title={`Mark ${order.number} delivered?`}
          confirmLabel={`Mark delivered, ${money(order.totalMinor)} collected`}
          busy={busy === 'deliver'}
          error={error}
          onClose={() => setConfirm(undefined)}
          onConfirm={deliver}
        >
          <p>This records {money(order.totalMinor)} collected in cash by the courier as the order’s payment.</p>
        </ConfirmDialog>
      )}

      {confirm?.kind === 'reject-return' && (
        <ConfirmDialog
          title="Reject this return?"
          tone="danger"
          confirmLabel="Reject return"
          busy={busy === 'reject'}
          error={error}
          onClose={() => setConfirm(undefined)}
          onConfirm={() =>
            run(
              'reject',
              () =>
                unwrap(
                  api.POST('/orders/{id}/returns/{returnId}/reject', {
                    params: { path: { ...path, returnId: confirm.returnId } },
                    body: { reason: reason.trim() },
                  }),
                ),
              'Return rejected; the order is delivered again',
            )
          }
        >
          <p>The order goes back to delivered and nothing is restocked.</p>
          <Field
            label="Reason (kept in the timeline)"
            multiline
            required
            maxLength={500}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </ConfirmDialog>
      )}
    </section>
  );
}
