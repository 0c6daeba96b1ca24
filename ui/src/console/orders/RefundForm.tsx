import { unwrap } from '@orderline/client';
import { useRef, useState } from 'preact/hooks';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { newIdempotencyKey } from '../../lib/ids.js';
import { formatMoney, parseMoney, toDecimalText } from '../../lib/money.js';
import { api } from '../session.js';
import { PROVIDER, type PaymentSummary } from './labels.js';
import type { OrderView } from './labels.js';
import styles from './OrderActions.module.css';

/** Where the money goes: "to the Razorpay payment ending 4f2a", or back in cash for cash on delivery. */
export function refundDestination(payment: PaymentSummary): string {
  if (payment.paymentMethod === 'COD') return 'in cash (recorded as handed back to the customer)';
  const captured = payment.attempts.filter((a) => a.status === 'CAPTURED');
  const provider = PROVIDER[captured[0]?.provider ?? payment.paymentMethod] ?? payment.paymentMethod;
  if (captured.length === 1) return `to the ${provider} payment ending ${captured[0].providerPaymentId.slice(-4)}`;
  return `to the order’s ${provider} payments`;
}

/**
 * A full or partial refund: the amount (the refundable remainder by default, never more) and a reason, then one
 * confirmation that names the amount and where it goes.
 */
export function RefundForm({ view, onClose, onRefunded }: { view: OrderView; onClose: () => void; onRefunded: (message: string) => void }) {
  const { order, payment } = view;
  const currency = payment.currency;
  const money = (minor: number) => formatMoney(minor, currency);
  const refundable = payment.refundableMinor;
  const [amount, setAmount] = useState(toDecimalText(refundable, currency));
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const key = useRef(newIdempotencyKey());

  const parsed = parseMoney(amount, currency);
  const amountError = !parsed.ok ? parsed.error : parsed.minor > refundable ? `At most ${money(refundable)} can be refunded` : undefined;
  const reasonError = touched && !reason.trim() ? 'Say why: it is kept with the refund' : undefined;
  const destination = refundDestination(payment);
  const valid = !amountError && reason.trim().length > 0;
  const minor = parsed.ok ? parsed.minor : 0;

  async function send() {
    setBusy(true);
    setError(undefined);
    try {
      const outcome = await unwrap(
        api.POST('/orders/{id}/refunds', {
          params: { path: { id: order.id }, header: { 'Idempotency-Key': key.current } },
          body: { amountMinor: minor, reason: reason.trim() },
        }),
      );
      key.current = newIdempotencyKey();
      const pending = outcome.refunds.some((r) => r.status === 'PENDING');
      setConfirming(false);
      onRefunded(
        pending ? `Refund of ${money(minor)} sent; it completes when the provider confirms it` : `Refunded ${money(minor)} ${destination}`,
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <form
        class={styles.panel}
        aria-label="Refund"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          setTouched(true);
          if (valid) setConfirming(true);
        }}
      >
        <p class={styles.summary}>
          Paid {money(payment.paidMinor)} · refunded {money(payment.refundedMinor)}
          {payment.pendingRefundMinor > 0 && <> · pending {money(payment.pendingRefundMinor)}</>} ·{' '}
          <strong>refundable {money(refundable)}</strong>
        </p>
        <Field
          label={`Amount (${currency})`}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          autoFocus
          value={amount}
          error={amountError}
          hint={
            <>
              Up to {money(refundable)}{' '}
              <button type="button" class={styles.linkButton} onClick={() => setAmount(toDecimalText(refundable, currency))}>
                Refund all of it
              </button>
            </>
          }
          onInput={(e) => setAmount(e.currentTarget.value)}
        />
        <Field
          label="Reason"
          name="reason"
          multiline
          required
          maxLength={500}
          value={reason}
          error={reasonError}
          onInput={(e) => setReason(e.currentTarget.value)}
          onBlur={() => setTouched(true)}
        />
        {error !== undefined && !confirming && <ErrorNotice error={error} />}
        <div class={styles.panelButtons}>
          <Button onClick={onClose}>Close</Button>
          <Button type="submit" variant="danger" disabled={!!amountError}>
            {amountError ? 'Refund' : `Refund ${money(minor)}`}
          </Button>
        </div>
      </form>
      {confirming && (
        <ConfirmDialog
          title={`Refund ${money(minor)} ${destination}?`}
          tone="danger"
          confirmLabel={`Refund ${money(minor)}`}
          busy={busy}
          error={error}
          onClose={() => setConfirming(false)}
          onConfirm={send}
        >
          <p>
            {minor === refundable
              ? 'This refunds everything still refundable.'
              : `${money(refundable - minor)} stays refundable afterwards.`}{' '}
            The money goes back to the customer and cannot be taken back.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
