import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, unwrap, type Schemas } from '@orderline/client';
import type { ShopData } from '../model.js';
import { api } from '../lib/api.js';
import { clearCart, MAX_QUANTITY, removeFromCart, setQuantity, useCart, type CartLine } from '../lib/cart.js';
import { formatPrice, formatWhen } from '../lib/format.js';
import { listenLive } from '../lib/live.js';
import type { CatalogueSnapshot, StockEvent } from '../lib/live-catalogue.js';
import { FIELD_ADVICE, fieldAdvice, isUnreachable, UNREACHABLE } from '../lib/messages.js';
import { attemptKeyFor, finishAttempt } from '../lib/checkout-attempt.js';
import { rememberOrderToken } from '../lib/order-token.js';
import { useMounted } from '../lib/clock.js';
import { useShopHref } from '../lib/base.js';
import { Field } from '../../components/Field.js';
import styles from './Checkout.module.css';
import shop from '../components/Shop.module.css';

type Quote = Schemas['CartQuoteResponse'];
type Method = 'cod' | 'razorpay' | 'stripe';

const METHOD_LABELS: Record<string, { label: string; hint: string }> = {
  COD: { label: 'Cash on delivery', hint: 'Pay the courier when your order arrives.' },
  RAZORPAY: { label: 'UPI, cards, netbanking', hint: 'Pay now with Razorpay.' },
  STRIPE: { label: 'Card', hint: 'Pay now by card with Stripe.' },
};

/** Countries offered for delivery (ISO 3166-1 alpha-2, as the API takes them). */
const COUNTRIES: [string, string][] = [
  ['IN', 'India'],
  ['AE', 'United Arab Emirates'],
  ['AU', 'Australia'],
  ['BD', 'Bangladesh'],
  ['CA', 'Canada'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['GB', 'United Kingdom'],
  ['LK', 'Sri Lanka'],
  ['MY', 'Malaysia'],
  ['NL', 'Netherlands'],
  ['NP', 'Nepal'],
  ['NZ', 'New Zealand'],
  ['QA', 'Qatar'],
  ['SA', 'Saudi Arabia'],
  ['SG', 'Singapore'],
  ['US', 'United States'],
];

const EMPTY_FORM = { name: '', phone: '', email: '', line1: '', line2: '', city: '', state: '', postalCode: '', country: 'IN' };
type Form = typeof EMPTY_FORM;

/** Why lines cannot be bought now, by variant id: sold out, fewer left, drop not open, no longer sold. */
type LineProblems = Record<string, string>;

/**
 * /checkout: the cart (kept in this browser) and the order form — contact (phone required, email optional), delivery
 * address, and how to pay among the methods the brand has set up. Stock of the cart's products stays live, so an item
 * that sells out while the customer types says so at once. Placing the order sends one Idempotency-Key per attempt.
 */
export function CheckoutPage({ data }: { data: ShopData }) {
  const mounted = useMounted();
  const href = useShopHref();
  const cart = useCart();
  const options = data.paymentOptions ?? [];
  const [form, setForm] = useState<Form>(EMPTY_FORM);
  const [method, setMethod] = useState<Method | undefined>(() => options[0]?.method.toLowerCase() as Method | undefined);
  const [quote, setQuote] = useState<Quote>();
  const [problems, setProblems] = useState<LineProblems>({});
  const [live, setLive] = useState<Partial<Record<string, number>>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  const items = useMemo(() => cart.map((l) => ({ variantId: l.variantId, quantity: l.quantity })), [cart]);
  const itemsKey = JSON.stringify(items);
  const productIds = [...new Set(cart.map((l) => l.productId))].sort().join(',');

  // Current prices and stock from the API (nothing is reserved until the order is placed).
  useEffect(() => {
    if (!items.length) {
      setQuote(undefined);
      return;
    }
    let current = true;
    api()
      .POST('/cart/quote', { body: { items } })
      .then(async ({ data: quoted, error, response }) => {
        if (!current) return;
        if (quoted) {
          setQuote(quoted);
          setProblems(stockProblems(quoted));
        } else if (response.status === 400) {
          setQuote(undefined);
          setProblems(
            await unsellableProblems(new ApiError(400, '', null, (error as { details?: unknown } | undefined)?.details), cart, data.locale),
          );
        }
      })
      .catch(() => undefined);
    return () => void (current = false);
  }, [itemsKey]);

  // Stock of what is in the cart, live: a line that sells out while the customer is here says so.
  useEffect(() => {
    if (!productIds) return;
    return listenLive({
      connect: (signal) => api().GET('/live/catalogue', { params: { query: { products: productIds } }, parseAs: 'stream', signal }),
      onEvent(event, payload) {
        if (event === 'stock') {
          const stock = payload as StockEvent;
          setLive((l) => ({ ...l, [stock.variantId]: stock.available }));
        }
        if (event === 'snapshot') {
          const next: Record<string, number> = {};
          for (const p of (payload as CatalogueSnapshot).products) for (const v of p.variants) next[v.variantId] = v.available;
          setLive(next);
        }
      },
    });
  }, [productIds]);

  const lineProblem = (line: CartLine): string | undefined => {
    const available = live[line.variantId];
    // While the order is being placed, live stock may fall because this very order took it: its answer decides.
    if (!submitting && available !== undefined && available < line.quantity)
      return available <= 0 ? 'Sold out' : `Only ${available} left — lower the quantity`;
    return problems[line.variantId];
  };

  const currency = quote?.currency ?? cart.at(0)?.currency ?? data.brand.defaultCurrency;
  const total = quote?.totalMinor ?? cart.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0);
  const money = (minor: number) => formatPrice(minor, currency, data.locale);
  const blocked = cart.some((l) => lineProblem(l));

  const apiFieldOf = (field: keyof Form) => (field in { name: 1, phone: 1, email: 1 } ? `contact.${field}` : `shippingAddress.${field}`);

  // As the customer types, a field's error goes as soon as the value is fine; leaving a field checks it.
  const update = (field: keyof Form) => (event: Event) => {
    const value = (event.target as HTMLInputElement).value;
    setForm((f) => ({ ...f, [field]: value }));
    const apiField = apiFieldOf(field);
    if (fieldErrors[apiField] && !checkField(apiField, value)) setFieldErrors(({ [apiField]: _, ...rest }) => rest);
  };
  const leave = (field: keyof Form) => () => {
    const apiField = apiFieldOf(field);
    const problem = checkField(apiField, form[field]);
    if (problem) setFieldErrors((errors) => ({ ...errors, [apiField]: problem }));
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (submitting || !method || !cart.length) return;
    setFormError(undefined);
    const body = {
      items,
      contact: { name: form.name, phone: form.phone, ...(form.email.trim() && { email: form.email }) },
      shippingAddress: {
        line1: form.line1,
        city: form.city,
        postalCode: form.postalCode,
        country: form.country,
        ...(form.line2.trim() && { line2: form.line2 }),
        ...(form.state.trim() && { state: form.state }),
      },
      paymentMethod: method,
    };
    const key = attemptKeyFor(body);
    setSubmitting(true);
    try {
      // The same key for every try of this attempt: a try whose answer was lost is replayed, never placed twice.
      let placed: Schemas['CheckoutResponse'] | undefined;
      for (let attempt = 0; !placed; attempt++) {
        try {
          placed = await unwrap(api().POST('/orders/checkout', { body, params: { header: { 'Idempotency-Key': key } } }));
        } catch (error) {
          // 409 without stock details: the first try with this key is still running, or the sale is very busy.
          const busy =
            error instanceof ApiError && error.status === 409 && !(error.details as { lines?: unknown } | null | undefined)?.lines;
          if (!busy || attempt >= 3) throw error;
          await new Promise((resolve) => setTimeout(resolve, 800 * (attempt + 1)));
        }
      }
      finishAttempt();
      clearCart();
      if (placed.guestToken) {
        rememberOrderToken(placed.order.id, placed.guestToken);
        location.assign(href(`/pay/${placed.order.id}`));
      } else {
        // A replay of an attempt whose first answer was lost carries no token: the order is found by number and phone.
        location.assign(href(`/track?number=${encodeURIComponent(placed.order.number)}`));
      }
    } catch (error) {
      setSubmitting(false);
      await showError(error);
    }
  };

  const showError = async (error: unknown) => {
    if (!(error instanceof ApiError) || isUnreachable(error)) {
      setFormError(UNREACHABLE);
    } else if (error.status === 409) {
      const lines = (error.details as { lines?: { variantId: string; available: number }[] } | null | undefined)?.lines ?? [];
      setProblems(
        Object.fromEntries(
          lines.map((l) => [l.variantId, l.available <= 0 ? 'Sold out' : `Only ${l.available} left — lower the quantity`]),
        ),
      );
      setLive((current) => ({ ...current, ...Object.fromEntries(lines.map((l) => [l.variantId, Math.max(0, l.available)])) }));
      setFormError(
        lines.some((l) => l.available <= 0)
          ? 'Sorry — something in your cart sold out just now.'
          : 'Sorry — there is less in stock than your cart asks for.',
      );
    } else if (error.status === 422) {
      setFormError('That way of paying is not available right now. Please choose another.');
    } else if (error.status === 429) {
      setFormError('Too many tries in a short time. Please wait a minute and try again.');
    } else if (error.status === 400) {
      const advice = fieldAdvice(error);
      setFieldErrors(advice);
      const unsellable = await unsellableProblems(error, cart, data.locale);
      setProblems(unsellable);
      setFormError(
        Object.keys(unsellable).length ? 'Some items in your cart cannot be bought right now.' : 'Please check the highlighted details.',
      );
      const first = Object.keys(advice)[0];
      if (first) setTimeout(() => document.getElementById(fieldId(first))?.focus());
      return;
    } else {
      setFormError(UNREACHABLE);
    }
    setTimeout(() => summary.current?.focus());
  };

  if (!mounted) {
    return (
      <>
        <h1 class={styles.title}>Checkout</h1>
        <p class="muted">Loading your cart…</p>
      </>
    );
  }
  if (!cart.length) {
    return (
      <>
        <h1 class={styles.title}>Checkout</h1>
        <p>Your cart is empty.</p>
        <p>
          <a href={href('/shop')}>Go to the shop</a>
        </p>
      </>
    );
  }

  const fieldProps = (field: keyof Form, apiField: string) => ({
    id: fieldId(apiField),
    value: form[field],
    onInput: update(field),
    onBlur: leave(field),
    error: fieldErrors[apiField],
  });

  return (
    <form class={styles.layout} onSubmit={submit} noValidate>
      <h1 class={styles.title}>Checkout</h1>
      <section class={styles.cart} aria-labelledby="cart-title">
        <h2 id="cart-title">Your cart</h2>
        <ul class={styles.lines}>
          {cart.map((line) => {
            const quoted = quote?.items.find((q) => q.variantId === line.variantId);
            const problem = lineProblem(line);
            return (
              <li key={line.variantId} class={styles.line} data-variant={line.variantId}>
                <div class={styles.lineText}>
                  <a href={href(`/shop/${encodeURIComponent(line.productSlug)}`)}>{line.productName}</a>
                  <span class="muted">{line.variantName}</span>
                  {problem && (
                    <span class={styles.lineProblem} role="alert">
                      {problem}
                    </span>
                  )}
                </div>
                <div class={styles.stepper}>
                  <button
                    type="button"
                    aria-label={`One fewer ${line.productName} (${line.variantName})`}
                    onClick={() => setQuantity(line.variantId, line.quantity - 1)}
                  >
                    −
                  </button>
                  <span class="num" aria-label={`Quantity ${line.quantity}`}>
                    {line.quantity}
                  </span>
                  <button
                    type="button"
                    aria-label={`One more ${line.productName} (${line.variantName})`}
                    disabled={line.quantity >= Math.min(MAX_QUANTITY, live[line.variantId] ?? quoted?.available ?? MAX_QUANTITY)}
                    onClick={() => setQuantity(line.variantId, line.quantity + 1)}
                  >
                    +
                  </button>
                </div>
                <span class={`${styles.lineTotal} num`}>{money(quoted?.lineTotalMinor ?? line.priceMinor * line.quantity)}</span>
                <button
                  type="button"
                  class={styles.remove}
                  onClick={() => removeFromCart(line.variantId)}
                  aria-label={`Remove ${line.productName} (${line.variantName})`}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
        <dl class={styles.totals}>
          <div>
            <dt>Subtotal</dt>
            <dd class="num">{money(total)}</dd>
          </div>
          <div>
            <dt>Shipping</dt>
            <dd>Free</dd>
          </div>
          <div class={styles.grandTotal}>
            <dt>Total</dt>
            <dd class="num" data-testid="total">
              {money(total)}
            </dd>
          </div>
        </dl>
      </section>

      <fieldset class={styles.group}>
        <legend>Contact</legend>
        <Field label="Full name" autoComplete="name" required {...fieldProps('name', 'contact.name')} />
        <Field
          label="Phone"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          required
          hint="For delivery updates and to track your order."
          {...fieldProps('phone', 'contact.phone')}
        />
        <Field label="Email (optional)" type="email" autoComplete="email" {...fieldProps('email', 'contact.email')} />
      </fieldset>

      <fieldset class={styles.group}>
        <legend>Delivery address</legend>
        <Field label="Address" autoComplete="address-line1" required {...fieldProps('line1', 'shippingAddress.line1')} />
        <Field label="Flat, floor, landmark (optional)" autoComplete="address-line2" {...fieldProps('line2', 'shippingAddress.line2')} />
        <div class={styles.pair}>
          <Field label="City" autoComplete="address-level2" required {...fieldProps('city', 'shippingAddress.city')} />
          <Field label="State (optional)" autoComplete="address-level1" {...fieldProps('state', 'shippingAddress.state')} />
        </div>
        <div class={styles.pair}>
          <Field
            label="PIN code"
            autoComplete="postal-code"
            inputMode="text"
            required
            {...fieldProps('postalCode', 'shippingAddress.postalCode')}
          />
          <div class={styles.select}>
            <label for="shippingAddress-country">Country</label>
            <select id="shippingAddress-country" autoComplete="country" value={form.country} onChange={update('country')}>
              {COUNTRIES.map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        </div>
      </fieldset>

      <fieldset class={styles.group}>
        <legend>Payment</legend>
        {options.length === 0 && <p class={styles.error}>This shop is not taking orders online right now.</p>}
        {options.map((option) => {
          const value = option.method.toLowerCase() as Method;
          const text = METHOD_LABELS[option.method] ?? { label: option.method, hint: '' };
          return (
            <label key={value} class={styles.method}>
              <input type="radio" name="paymentMethod" value={value} checked={method === value} onChange={() => setMethod(value)} />
              <span>
                <strong>{text.label}</strong>
                <span class="muted">{text.hint}</span>
              </span>
            </label>
          );
        })}
      </fieldset>

      <div class={styles.place}>
        {formError && (
          <div class={shop.problem} role="alert" tabIndex={-1} ref={summary}>
            {formError}
          </div>
        )}
        <button
          type="submit"
          class={`${shop.action} ${shop.wide}`}
          disabled={submitting || blocked || !method}
          aria-busy={submitting || undefined}
        >
          {submitting
            ? 'Placing your order…'
            : method === 'cod'
              ? `Place order · ${money(total)}`
              : `Continue to payment · ${money(total)}`}
        </button>
        {blocked && <p class="muted">Change or remove the items marked above to continue.</p>}
      </div>
    </form>
  );
}

const fieldId = (apiField: string) => apiField.replace('.', '-');

const REQUIRED = new Set(['contact.name', 'contact.phone', 'shippingAddress.line1', 'shippingAddress.city', 'shippingAddress.postalCode']);

/**
 * What the browser can tell about a field before the API does (empty, or plainly not a phone number, email or PIN code),
 * in the same words as the API's answer would get. The API stays the judge: its field errors are shown the same way.
 */
function checkField(apiField: string, value: string): string | undefined {
  const text = value.trim();
  if (!text) return REQUIRED.has(apiField) ? FIELD_ADVICE[apiField] : undefined;
  if (apiField === 'contact.phone' && !/^\+?[0-9]{6,15}$/.test(text.replace(/[\s().-]/g, ''))) return FIELD_ADVICE[apiField];
  if (apiField === 'contact.email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return FIELD_ADVICE[apiField];
  if (apiField === 'shippingAddress.postalCode' && !/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/.test(text)) return FIELD_ADVICE[apiField];
  return undefined;
}

/** Quote lines whose summed quantity is not in stock. */
function stockProblems(quote: Quote): LineProblems {
  return Object.fromEntries(
    quote.items
      .filter((l) => !l.inStock)
      .map((l) => [l.variantId, l.available <= 0 ? 'Sold out' : `Only ${l.available} left — lower the quantity`]),
  );
}

/**
 * Lines the API refused as not for sale (items.N.variantId): the product is read again to say why — a drop that has
 * not opened yet (with its time), or a product or option no longer sold.
 */
async function unsellableProblems(error: ApiError, cart: CartLine[], locale: string): Promise<LineProblems> {
  const refused = error.fieldErrors.flatMap((f) => {
    const index = /^items\.(\d+)\.variantId$/.exec(f.field)?.[1];
    return index !== undefined && cart[Number(index)] ? [cart[Number(index)]] : [];
  });
  const entries = await Promise.all(
    refused.map(async (line): Promise<[string, string]> => {
      const { data: product } = await api()
        .GET('/products/{id}', { params: { path: { id: line.productId } } })
        .catch(() => ({ data: undefined }));
      const opensAt = product?.availableFrom ? Date.parse(product.availableFrom) : NaN;
      if (product && !product.purchasable && opensAt > Date.now() - 60_000)
        return [line.variantId, `Not on sale yet — this drop opens ${formatWhen(opensAt, locale)}`];
      if (product?.variants.some((v) => v.id === line.variantId)) return [line.variantId, 'Not on sale right now'];
      return [line.variantId, 'No longer for sale — remove it to continue'];
    }),
  );
  return Object.fromEntries(entries);
}
