import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, unwrap, type Schemas } from '@orderline/client';
import type { ShopData } from '../model.js';
import { api } from '../lib/api.js';
import { takeOrderToken } from '../lib/order-token.js';
import { listenLive } from '../lib/live.js';
import { formatCountdown, formatPrice } from '../lib/format.js';
import { useMounted, useNow } from '../lib/clock.js';
import { declineMessage } from '../lib/messages.js';
import { useShopHref } from '../lib/base.js';
import { loadRazorpay, loadStripe, type StripeElements, type StripeJs } from '../lib/providers.js';
import styles from './Pay.module.css';
import shop from '../components/Shop.module.css';

type Order = Schemas['OrderResponse'];
type Summary = Schemas['PaymentSummaryResponse'];
type Instructions = Schemas['PaymentInstructionsResponse'];

type Phase =
  { kind: 'loading' } | { kind: 'no-access' } | { kind: 'unreachable' } | { kind: 'ready'; order: Order; summary?: Summary; token: string };

/** A field the provider's payment instructions always carry (documented per provider); its absence is a provider problem. */
function given<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`The payment instructions lack ${name}`);
  return value;
}

const PAID_STATES = new Set([
  'PAID',
  'FULFILLED',
  'IN_TRANSIT',
  'OUT_FOR_DELIVERY',
  'DELIVERY_FAILED',
  'RTO_INITIATED',
  'RETURNED_TO_ORIGIN',
  'DELIVERED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'RETURN_REQUESTED',
  'RETURNED',
]);

/**
 * /pay/:orderId — the order confirmation and, for a prepaid order, the payment: the provider's own sheet (Stripe's
 * Payment Element, Razorpay Checkout), then the status live over GET /live/orders/:id: pending → paid; a declined
 * attempt says why and offers another try on the same order; an expired one says its items were released.
 */
export function PayPage({ data, orderId }: { data: ShopData; orderId: string }) {
  const mounted = useMounted();
  const href = useShopHref();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const headers = (t: string) => ({ 'X-Order-Token': t });

  const load = async (t: string) => {
    try {
      const params = { path: { id: orderId }, header: headers(t) };
      const [order, summary] = await Promise.all([
        unwrap(api().GET('/orders/{id}', { params })),
        unwrap(api().GET('/orders/{id}/payment', { params })),
      ]);
      setPhase({ kind: 'ready', order, summary, token: t });
    } catch (error) {
      setPhase(error instanceof ApiError && error.status === 404 ? { kind: 'no-access' } : { kind: 'unreachable' });
    }
  };

  useEffect(() => {
    const t = takeOrderToken(orderId);
    if (!t) {
      setPhase({ kind: 'no-access' });
      return;
    }
    void load(t);
    // Status changes (paid, failed, expired) arrive here; the order and its payments are then read again.
    return listenLive({
      connect: (signal) =>
        api().GET('/live/orders/{id}', { params: { path: { id: orderId }, header: headers(t) }, parseAs: 'stream', signal }),
      onEvent: (event) => event === 'order' && void load(t),
    });
  }, [orderId, attempt]);

  if (!mounted || phase.kind === 'loading') {
    return (
      <section class={styles.page}>
        <h1>Your order</h1>
        <p class="muted" role="status">
          Loading your order…
        </p>
      </section>
    );
  }
  if (phase.kind === 'no-access') {
    return (
      <section class={styles.page}>
        <h1>Your order</h1>
        <p>This link does not open an order on this device. Find your order with its number and your phone number.</p>
        <p>
          <a class={shop.action} href={href('/track')}>
            Track an order
          </a>
        </p>
      </section>
    );
  }
  if (phase.kind === 'unreachable') {
    return (
      <section class={styles.page}>
        <h1>Your order</h1>
        <p role="alert">We couldn't reach the shop. Check your connection and try again.</p>
        <button type="button" class={shop.action} onClick={() => setAttempt((a) => a + 1)}>
          Try again
        </button>
      </section>
    );
  }
  const { token } = phase;
  return <OrderStatus data={data} order={phase.order} summary={phase.summary} token={token} onPaid={() => void load(token)} />;
}

function OrderStatus({
  data,
  order,
  summary,
  token,
  onPaid,
}: {
  data: ShopData;
  order: Order;
  summary?: Summary;
  token: string;
  onPaid: () => void;
}) {
  const money = (minor: number) => formatPrice(minor, order.currency, data.locale);
  const href = useShopHref();
  const heading = useRef<HTMLHeadingElement>(null);
  const status = order.status;
  useEffect(() => heading.current?.focus(), [status]);

  let title: string;
  let body: ComponentChildren;
  if (status === 'CONFIRMED') {
    title = 'Thank you — your order is confirmed';
    body = <p>Pay {money(order.totalMinor)} in cash when it arrives. We will message you when it ships.</p>;
  } else if (PAID_STATES.has(status)) {
    title = 'Paid — thank you!';
    body = <p>We have your payment of {money(order.totalMinor)}. We will message you when your order ships.</p>;
  } else if (status === 'EXPIRED') {
    title = 'Time ran out for this order';
    body = (
      <>
        <p>
          We held your items for a while, but the payment did not arrive in time, so they were released for other customers. You have not
          been charged.
        </p>
        <p>
          <a class={shop.action} href={href('/shop')}>
            Shop again
          </a>
        </p>
      </>
    );
  } else if (status === 'CANCELLED') {
    title = 'This order was cancelled';
    body = <p>Nothing will be sent. If you paid, the money is on its way back to you.</p>;
  } else {
    title = 'Complete your payment';
    body = <PaymentStep data={data} order={order} summary={summary} token={token} onPaid={onPaid} />;
  }

  return (
    <section class={styles.page}>
      <p class={styles.number}>
        Order <strong data-testid="order-number">{order.number}</strong>
      </p>
      <h1 ref={heading} tabIndex={-1} data-testid="order-status" data-status={status}>
        {title}
      </h1>
      <div role="status" aria-live="polite">
        {body}
      </div>
      <OrderSummary order={order} money={money} />
      <p class="muted">
        Track this order any time on the <a href={href(`/track?number=${encodeURIComponent(order.number)}`)}>tracking page</a> with its
        number and your phone number.
      </p>
    </section>
  );
}

function OrderSummary({ order, money }: { order: Order; money: (minor: number) => string }) {
  return (
    <section class={styles.summary} aria-label="Order summary">
      <ul>
        {order.items.map((item) => (
          <li key={item.id}>
            <span>
              {item.quantity} × {item.productName} ({item.variantName})
            </span>
            <span class="num">{money(item.lineTotalMinor)}</span>
          </li>
        ))}
      </ul>
      <p class={styles.total}>
        <span>Total</span>
        <span class="num">{money(order.totalMinor)}</span>
      </p>
    </section>
  );
}

type Step =
  | { kind: 'starting' }
  | { kind: 'ready'; instructions: Instructions }
  | { kind: 'provider-down' }
  | { kind: 'processing' }
  | { kind: 'settling' };

/** The payment itself, for an order still awaiting it; retried on the same order as often as needed. */
function PaymentStep({
  data,
  order,
  summary,
  token,
  onPaid,
}: {
  data: ShopData;
  order: Order;
  summary?: Summary;
  token: string;
  onPaid: () => void;
}) {
  const [step, setStep] = useState<Step>({ kind: 'starting' });
  const [declined, setDeclined] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [retry, setRetry] = useState(0);
  const stripe = useRef<{ js: StripeJs; elements: StripeElements } | undefined>(undefined);
  const mount = useRef<HTMLDivElement>(null);
  const expiresAt = order.reservationExpiresAt ? Date.parse(order.reservationExpiresAt) : undefined;
  const now = useNow(data.serverTime, expiresAt !== undefined);
  const money = formatPrice(order.totalMinor, order.currency, data.locale);

  // The last attempt failed (and nothing has been captured): say why, in words.
  const lastAttempt = summary?.attempts.at(-1);
  const failedBefore = lastAttempt?.status === 'FAILED' && !summary?.paidMinor ? declineMessage(lastAttempt.errorCode) : undefined;
  const problem = declined ?? failedBefore;

  useEffect(() => {
    // Cleared by the cleanup below while the request awaits.
    let current = true as boolean;
    setStep({ kind: 'starting' });
    void (async () => {
      try {
        const instructions = await unwrap(
          api().POST('/orders/{id}/payment', { params: { path: { id: order.id }, header: { 'X-Order-Token': token } } }),
        );
        if (!current) return;
        if (instructions.method === 'STRIPE') {
          const js = await loadStripe(given(instructions.publishableKey, 'publishableKey'));
          const elements = js.elements({
            clientSecret: given(instructions.clientSecret, 'clientSecret'),
            appearance: { theme: 'stripe', variables: { colorPrimary: data.brand.brandColor ?? undefined } },
          });
          stripe.current = { js, elements };
          setStep({ kind: 'ready', instructions });
        } else {
          setStep({ kind: 'ready', instructions });
        }
      } catch (error) {
        // 409: the order no longer takes payment (paid, or its hold just ran out): its live status is on its way.
        if (current) setStep(error instanceof ApiError && error.status === 409 ? { kind: 'settling' } : { kind: 'provider-down' });
      }
    })();
    return () => void (current = false);
  }, [order.id, retry]);

  // The Payment Element goes into its box once the box is on the page.
  useEffect(() => {
    if (step.kind !== 'ready' || step.instructions.method !== 'STRIPE' || !stripe.current || !mount.current) return;
    const element = stripe.current.elements.create('payment');
    element.mount(mount.current);
    return () => element.destroy();
  }, [step]);

  // A payment that failed at the provider after the sheet closed (reported by webhook): back to paying.
  useEffect(() => {
    if (lastAttempt?.status === 'FAILED' && step.kind === 'processing') setRetry((r) => r + 1);
  }, [lastAttempt?.id]);

  const payWithStripe = async () => {
    if (!stripe.current) return;
    setBusy(true);
    setDeclined(undefined);
    const { error } = await stripe.current.js.confirmPayment({
      elements: stripe.current.elements,
      confirmParams: { return_url: location.href },
      redirect: 'if_required',
    });
    setBusy(false);
    if (error) {
      // Stripe words card and validation errors for customers; anything else gets our sentence.
      setDeclined(
        error.type === 'card_error' || error.type === 'validation_error'
          ? `${error.message ?? ''} You have not been charged.`.trim()
          : declineMessage(error.decline_code ?? error.code),
      );
      return;
    }
    setStep({ kind: 'processing' });
  };

  const payWithRazorpay = async (instructions: Instructions) => {
    setBusy(true);
    setDeclined(undefined);
    try {
      const Razorpay = await loadRazorpay();
      const checkout = new Razorpay({
        key: given(instructions.keyId, 'keyId'),
        order_id: given(instructions.razorpayOrderId, 'razorpayOrderId'),
        amount: given(instructions.amount, 'amount'),
        currency: instructions.currency,
        name: data.brand.name,
        description: `Order ${order.number}`,
        ...(data.brand.logoUrl?.startsWith('https://') && { image: data.brand.logoUrl }),
        prefill: { name: order.customerName, contact: order.phone, ...(order.email && { email: order.email }) },
        ...(data.brand.brandColor && { theme: { color: data.brand.brandColor } }),
        handler: (result) => {
          setStep({ kind: 'processing' });
          void unwrap(api().POST('/payments/razorpay/verify', { body: result }))
            .then((confirmed) => {
              if (confirmed.paid) onPaid();
            })
            // The webhook still gets there; the live status shows it.
            .catch(() => undefined)
            .finally(() => setBusy(false));
        },
        modal: { ondismiss: () => setBusy(false) },
      });
      checkout.on('payment.failed', (response) => {
        setBusy(false);
        setDeclined(declineMessage(response.error?.code));
      });
      checkout.open();
    } catch {
      setBusy(false);
      setStep({ kind: 'provider-down' });
    }
  };

  const holding = expiresAt !== undefined && (
    <p class={styles.hold} data-testid="hold">
      We are holding your items for <strong class="num">{formatCountdown(expiresAt - now)}</strong>.
    </p>
  );

  if (step.kind === 'processing') {
    return (
      <p class={shop.info} data-testid="processing">
        Confirming your payment of {money}… This page updates by itself.
      </p>
    );
  }
  if (step.kind === 'settling') {
    return (
      <p class={shop.info} data-testid="processing">
        Checking the status of your order… This page updates by itself.
      </p>
    );
  }
  if (step.kind === 'provider-down') {
    return (
      <>
        <p class={shop.problem} role="alert">
          We couldn't reach the payment provider just now. Your order is saved and nothing was charged.
        </p>
        <button type="button" class={shop.action} onClick={() => setRetry((r) => r + 1)}>
          Try again
        </button>
        {holding}
      </>
    );
  }
  return (
    <>
      {holding}
      {problem && (
        <p class={shop.problem} role="alert" data-testid="declined">
          {problem}
        </p>
      )}
      {step.kind === 'starting' && <p class="muted">Preparing the payment…</p>}
      {step.kind === 'ready' && step.instructions.method === 'STRIPE' && (
        <>
          <div class={styles.element} ref={mount} data-testid="stripe-element" />
          <button type="button" class={`${shop.action} ${shop.wide}`} disabled={busy} aria-busy={busy || undefined} onClick={payWithStripe}>
            {busy ? 'Paying…' : problem ? `Try again · ${money}` : `Pay ${money}`}
          </button>
        </>
      )}
      {step.kind === 'ready' && step.instructions.method === 'RAZORPAY' && (
        <button
          type="button"
          class={`${shop.action} ${shop.wide}`}
          disabled={busy}
          aria-busy={busy || undefined}
          onClick={() => payWithRazorpay(step.instructions)}
        >
          {busy ? 'Paying…' : problem ? `Try again · ${money}` : `Pay ${money}`}
        </button>
      )}
    </>
  );
}
