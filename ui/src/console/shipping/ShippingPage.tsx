import { unwrap, type Schemas } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatMoney } from '../../lib/money.js';
import { Link, useLocation } from '../../lib/router.js';
import { age } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import { STATUS } from '../orders/labels.js';
import list from '../orders/OrdersPage.module.css';
import styles from './ShippingPage.module.css';

type Shipment = Schemas['ShipmentListItemResponse'];
type Booking = Schemas['BookingResultsResponse'];

const TABS = [
  { view: 'to-ship', label: 'To ship' },
  { view: 'ndr', label: 'Failed deliveries (NDR)' },
  { view: 'rto', label: 'Returns to origin (RTO)' },
] as const;
type View = (typeof TABS)[number]['view'];

/** Shipping: book parcels for many orders at once, and act on failed deliveries and parcels coming back. */
export function ShippingPage() {
  const { query } = useLocation();
  const view: View = TABS.find((t) => t.view === query.get('view'))?.view ?? 'to-ship';
  return (
    <section class={styles.page} aria-labelledby="shipping-title">
      <div class={list.toolbar}>
        <h1 id="shipping-title" class={list.title}>
          Shipping
        </h1>
      </div>
      <nav class={list.tabs} aria-label="Shipping views">
        {TABS.map((tab) => (
          <Link key={tab.view} href={`/console/shipping?view=${tab.view}`} aria-current={tab.view === view ? 'page' : undefined}>
            {tab.label}
          </Link>
        ))}
      </nav>
      {view === 'to-ship' ? <ToShip /> : <ShipmentList view={view} />}
    </section>
  );
}

/** Confirmed (COD) and paid orders, selectable, booked with one carrier in one call. */
function ToShip() {
  const orders = useAsync(async () => {
    const [cod, paid] = await Promise.all(
      (['CONFIRMED', 'PAID'] as const).map((status) => unwrap(api.GET('/orders', { params: { query: { status, page: 1, limit: 100 } } }))),
    );
    return [...cod.items, ...paid.items];
  }, []);
  const carriers = useAsync(() => unwrap(api.GET('/shipping/carriers')), []);
  const bookable = (carriers.data ?? []).filter((c) => c.enabled && !c.manual);
  const [carrier, setCarrier] = useState<string>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Booking>();
  const [error, setError] = useState<unknown>();
  const list = orders.data ?? [];
  const chosen = carrier ?? bookable[0]?.name;

  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const book = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      setResult(await unwrap(api.POST('/shipments', { body: { orderIds: [...selected], carrier: chosen } })));
      setSelected(new Set());
      orders.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const numberOf = (id: string) => list.find((o) => o.id === id)?.number ?? id.slice(0, 8);
  return (
    <>
      <div class={styles.booking}>
        <label>
          Carrier{' '}
          <select value={chosen} onChange={(e) => setCarrier((e.target as HTMLSelectElement).value)} disabled={!bookable.length}>
            {bookable.map((c) => (
              <option key={c.name} value={c.name}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <Button variant="primary" busy={busy} disabled={!selected.size || !chosen} onClick={() => void book()}>
          Book {selected.size} parcel{selected.size === 1 ? '' : 's'}
        </Button>
        {carriers.data && !bookable.length && <p class="muted">No carrier is configured: set Shiprocket's credentials in the settings.</p>}
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
      {result && (
        <div class={styles.results} role="status" data-testid="booking-results">
          Booked {result.booked}, {result.failed} not booked.
          {result.failed > 0 && (
            <ul>
              {result.results
                .filter((r) => !r.ok)
                .map((r) => (
                  <li key={r.orderId}>
                    {numberOf(r.orderId)}: {r.error?.message}
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
      {orders.error !== undefined && <ErrorNotice error={orders.error} onRetry={orders.reload} />}
      {orders.data && !list.length ? (
        <EmptyState title="Nothing to ship">Confirmed cash-on-delivery and paid orders appear here, ready to book.</EmptyState>
      ) : (
        <div class={styles.tableWrap} aria-busy={orders.loading || undefined}>
          <table class={styles.table}>
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label="Select all"
                    checked={list.length > 0 && selected.size === list.length}
                    onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? new Set(list.map((o) => o.id)) : new Set())}
                  />
                </th>
                <th>Order</th>
                <th>Customer</th>
                <th>City</th>
                <th>Payment</th>
                <th class={styles.right}>Total</th>
                <th>Age</th>
              </tr>
            </thead>
            <tbody>
              {list.map((o) => (
                <tr key={o.id}>
                  <td>
                    <input type="checkbox" aria-label={`Select ${o.number}`} checked={selected.has(o.id)} onChange={() => toggle(o.id)} />
                  </td>
                  <td>
                    <Link href={`/console/orders/${o.id}`}>{o.number}</Link>
                  </td>
                  <td>{o.customerName}</td>
                  <td>{o.shippingAddress.city}</td>
                  <td>{o.paymentMethod === 'COD' ? 'Cash on delivery' : 'Paid'}</td>
                  <td class={styles.right}>{formatMoney(o.totalMinor, o.currency)}</td>
                  <td>{age(o.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** The NDR or RTO list; an RTO parcel back at the warehouse can be received (restocked) from here. */
function ShipmentList({ view }: { view: 'ndr' | 'rto' }) {
  const list = useAsync(() => unwrap(api.GET('/shipments', { params: { query: { view, page: 1, limit: 100 } } })), [view]);
  const [receiving, setReceiving] = useState<string>();
  const [error, setError] = useState<unknown>();
  const receive = async (s: Shipment) => {
    setReceiving(s.id);
    setError(undefined);
    try {
      await unwrap(api.POST('/shipments/{id}/rto/receive', { params: { path: { id: s.id } }, body: {} }));
      list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setReceiving(undefined);
    }
  };
  const items = list.data?.items ?? [];
  if (list.error !== undefined) return <ErrorNotice error={list.error} onRetry={list.reload} />;
  if (list.data && !items.length) {
    return view === 'ndr' ? (
      <EmptyState title="No failed deliveries">Parcels the courier could not deliver appear here with the reason.</EmptyState>
    ) : (
      <EmptyState title="No returns to origin">Refused or undeliverable parcels coming back appear here.</EmptyState>
    );
  }
  return (
    <>
      {error !== undefined && <ErrorNotice error={error} />}
      <div class={styles.tableWrap} aria-busy={list.loading || undefined}>
        <table class={styles.table}>
          <thead>
            <tr>
              <th>Order</th>
              <th>Customer</th>
              <th>Status</th>
              <th>{view === 'ndr' ? 'Attempts · reason' : 'Parcel'}</th>
              <th class={styles.right}>COD</th>
              <th>RTOs (phone)</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((s) => {
              const status = STATUS[s.orderStatus];
              return (
                <tr key={s.id} data-testid="shipment-row">
                  <td>
                    <Link href={`/console/orders/${s.orderId}`}>{s.orderNumber}</Link>
                  </td>
                  <td>
                    {s.customerName}
                    <br />
                    <span class="muted">{s.phone}</span>
                  </td>
                  <td>
                    <Badge tone={status.tone}>{status.label}</Badge>
                    <br />
                    <span class="muted">{s.carrierStatus}</span>
                  </td>
                  <td>
                    {view === 'ndr'
                      ? `${s.ndrAttempts} · ${s.ndrReason ?? '—'}`
                      : s.orderStatus === 'RETURNED_TO_ORIGIN'
                        ? 'Received'
                        : s.rtoArrivedAt
                          ? 'Back at the warehouse'
                          : 'On its way back'}
                    {s.trackingUrl && (
                      <>
                        {' · '}
                        <a href={s.trackingUrl} target="_blank" rel="noopener noreferrer">
                          {s.awb}
                        </a>
                      </>
                    )}
                  </td>
                  <td class={styles.right}>{s.codAmountMinor ? formatMoney(s.codAmountMinor, s.currency) : '—'}</td>
                  <td>{s.customerRtoCount}</td>
                  <td>
                    {view === 'rto' && s.orderStatus === 'RTO_INITIATED' && (
                      <Button size="small" busy={receiving === s.id} onClick={() => void receive(s)}>
                        Receive and restock
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
