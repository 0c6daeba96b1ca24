import { useEffect, useState } from 'preact/hooks';
import { ApiError, unwrap, type Schemas } from '@orderline/client';
import type { ShopData } from '../model.js';
import { api } from '../lib/api.js';
import { formatPrice } from '../lib/format.js';
import { UNREACHABLE } from '../lib/messages.js';
import { Field } from '../../components/Field.js';
import styles from './Pay.module.css';
import shop from '../components/Shop.module.css';

type Tracking = Schemas['TrackingResponse'];

/** Each step of an order's life, as the customer reads it (the API's state-machine events). */
const STEPS: Partial<Record<string, string>> = {
  CHECKOUT: 'Order placed',
  AWAIT_PAYMENT: 'Waiting for payment',
  CONFIRM_COD: 'Confirmed — cash on delivery',
  PAYMENT_SUCCEEDED: 'Paid',
  LATE_PAYMENT_ACCEPTED: 'Paid',
  PAYMENT_FAILED: 'A payment attempt did not go through',
  FULFILL: 'Shipped',
  DELIVER: 'Delivered',
  CANCEL: 'Cancelled',
  EXPIRE: 'Payment time ran out; items released',
  REFUND_PARTIAL: 'Partly refunded',
  REFUND_FULL: 'Refunded',
  REQUEST_RETURN: 'Return requested',
  REJECT_RETURN: 'Return declined',
  REJECT_FURTHER_RETURN: 'Return declined',
  RECEIVE_RETURN: 'Return received',
  MARK_IN_TRANSIT: 'In transit',
  MARK_OUT_FOR_DELIVERY: 'Out for delivery',
  FAIL_DELIVERY: 'Delivery attempt failed',
  START_RTO: 'Returning to us',
  RECEIVE_RTO: 'Returned to us',
};

const STATUS: Partial<Record<string, string>> = {
  CREATED: 'Placed',
  PAYMENT_PENDING: 'Waiting for payment',
  CONFIRMED: 'Confirmed',
  PAID: 'Paid',
  FULFILLED: 'Shipped',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
  PARTIALLY_REFUNDED: 'Partly refunded',
  REFUNDED: 'Refunded',
  RETURN_REQUESTED: 'Return requested',
  RETURNED: 'Returned',
  IN_TRANSIT: 'In transit',
  OUT_FOR_DELIVERY: 'Out for delivery',
  DELIVERY_FAILED: 'Delivery attempt failed',
  RTO_INITIATED: 'Returning to us',
  RETURNED_TO_ORIGIN: 'Returned to us',
};

/** /track: an order's progress by its number and the phone given at checkout. */
export function TrackPage({ data }: { data: ShopData }) {
  const [number, setNumber] = useState('');
  const [phone, setPhone] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [result, setResult] = useState<Tracking>();

  useEffect(() => {
    const given = new URLSearchParams(location.search).get('number');
    if (given) setNumber(given);
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(undefined);
    setResult(undefined);
    if (!number.trim() || !phone.trim()) {
      setProblem('Enter the order number and the phone number you ordered with.');
      return;
    }
    setBusy(true);
    try {
      setResult(await unwrap(api().POST('/orders/track', { body: { orderNumber: number.trim(), phone: phone.trim() } })));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
        setProblem("We couldn't find an order with that number and phone number. Check both and try again.");
      } else if (error instanceof ApiError && error.status === 429) {
        setProblem('Too many tries in a short time. Please wait a minute and try again.');
      } else {
        setProblem(UNREACHABLE);
      }
    } finally {
      setBusy(false);
    }
  };

  const money = (minor: number, currency: string) => formatPrice(minor, currency, data.locale);
  return (
    <section class={styles.page}>
      <h1>Track your order</h1>
      <form class={styles.track} onSubmit={submit} noValidate>
        <Field
          id="track-number"
          label="Order number"
          value={number}
          placeholder="OL-000042"
          autoComplete="off"
          onInput={(e) => setNumber((e.target as HTMLInputElement).value)}
        />
        <Field
          id="track-phone"
          label="Phone number"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          value={phone}
          onInput={(e) => setPhone((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class={shop.action} disabled={busy} aria-busy={busy || undefined}>
          {busy ? 'Looking…' : 'Track'}
        </button>
      </form>
      {problem && (
        <p class={shop.problem} role="alert">
          {problem}
        </p>
      )}
      {result && (
        <section class={styles.result} aria-live="polite" aria-labelledby="tracked-title">
          <h2 id="tracked-title">
            Order {result.number}: <span data-testid="tracked-status">{STATUS[result.status] ?? result.status}</span>
          </h2>
          <ul class={styles.items}>
            {result.items.map((item, i) => (
              <li key={i}>
                {item.quantity} × {item.productName} ({item.variantName})
              </li>
            ))}
          </ul>
          <p>Total {money(result.totalMinor, result.currency)}</p>
          {result.trackingNumber && (
            <p data-testid="shipment">
              Shipped with {result.carrier ?? 'the courier'}, tracking number <strong>{result.trackingNumber}</strong>
              {result.trackingUrl && (
                <>
                  {' — '}
                  <a href={result.trackingUrl} rel="noopener noreferrer" target="_blank">
                    follow the parcel
                  </a>
                </>
              )}
            </p>
          )}
          {result.carrierStatus && (
            <p data-testid="carrier-status">
              Courier status: <strong>{result.carrierStatus}</strong>
            </p>
          )}
          {result.status === 'DELIVERY_FAILED' && (
            <p role="note">
              The courier could not deliver this parcel. They will try again; to change the time or address, contact us
              {data.brand.supportPhone ? ` at ${data.brand.supportPhone}` : ''} soon, or the parcel comes back to us.
            </p>
          )}
          <ol class={styles.timeline} aria-label="Timeline">
            {result.timeline.map((step, i) => (
              <li key={i}>
                <span>{STEPS[step.event] ?? STATUS[step.status] ?? step.status}</span>
                <time dateTime={step.at}>{new Date(step.at).toLocaleString(data.locale, { dateStyle: 'medium', timeStyle: 'short' })}</time>
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}
