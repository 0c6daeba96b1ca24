import { useEffect, useRef, useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useHotkeys } from '../../lib/hotkeys.js';
import { formatMoney } from '../../lib/money.js';
import { Link, navigate, useLocation, withQuery } from '../../lib/router.js';
import { age, formatDateTime } from '../../lib/time.js';
import { itemCount, paymentState, PROVIDER, STATUS, STATUS_TABS, type Order } from './labels.js';
import { BulkFulfil, BulkOutcome, type BulkFailure } from './BulkFulfil.js';
import { OrderDetail } from './OrderDetail.js';
import { OrderFilters, readFilter } from './OrderFilters.js';
import { useOrderList } from './use-order-list.js';
import styles from './OrdersPage.module.css';

const SKELETON_ROWS = 8;
const canFulfil = (order: Order) => order.nextEvents.includes('FULFILL');

/**
 * The orders list (status tabs, search, date and payment filters, live updates, bulk fulfilment) with the opened order
 * beside it. Filters live in the URL, and the list stays mounted while an order is open, so opening and closing one
 * never loses the filters, the loaded pages or the scroll position.
 */
export function OrdersPage({ openId }: { openId?: string }) {
  const { query } = useLocation();
  const filter = readFilter(query);
  const { status, q } = filter;
  const filterParams = { status, q, payment: filter.paymentMethod, from: filter.from, to: filter.to };
  const listHref = (changes: Partial<typeof filterParams>) => withQuery('/console/orders', { ...filterParams, ...changes });
  const suffix = withQuery('', filterParams);

  const list = useOrderList(filter);
  const orders = list.orders;

  const [search, setSearch] = useState(q);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => setSearch(q), [q]);
  useEffect(() => {
    if (search.trim() === q) return;
    const timer = setTimeout(() => navigate(listHref({ q: search.trim() }), { replace: true }), 250);
    return () => clearTimeout(timer);
  }, [search]);

  // The cursor follows an order, not a position: rows added above it by live updates do not move it.
  const [selectedId, setSelectedId] = useState<string>();
  const selectedIndex = Math.max(
    0,
    orders.findIndex((o) => o.id === selectedId),
  );
  const rowRefs = useRef(new Map<string, HTMLAnchorElement>());
  // Enter in the search box moves to the first result once the results for that search are in.
  const focusFirstResult = useRef(false);
  useEffect(() => {
    if (openId) setSelectedId(openId);
    if (focusFirstResult.current && !list.loading && orders[0]) {
      focusFirstResult.current = false;
      rowRefs.current.get(orders[0].id)?.focus();
    }
  }, [openId, list.loading]);
  const orderHref = (order: Order) => `/console/orders/${order.id}${suffix}`;
  const closeHref = `/console/orders${suffix}`;

  function move(step: number) {
    if (!orders.length) return;
    const next = orders[Math.min(orders.length - 1, Math.max(0, selectedIndex + step))];
    setSelectedId(next.id);
    rowRefs.current.get(next.id)?.scrollIntoView({ block: 'nearest' });
    // With an order open, j/k flip through the list's orders.
    if (openId) navigate(orderHref(next), { replace: true });
  }

  useHotkeys({
    '/': () => searchRef.current?.focus(),
    j: () => move(1),
    k: () => move(-1),
    Enter: () => orders[selectedIndex] && navigate(orderHref(orders[selectedIndex])),
    Escape: () => {
      if (!openId) return;
      navigate(closeHref);
      rowRefs.current.get(openId)?.focus();
    },
  });

  // Bulk selection: orders that can be fulfilled now; shift-click selects the range from the last click.
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<string | undefined>(undefined);
  useEffect(() => setChecked(new Set()), [JSON.stringify(filter)]);
  function toggle(order: Order, on: boolean, range: boolean) {
    const next = new Set(checked);
    const from = anchor.current ? orders.findIndex((o) => o.id === anchor.current) : -1;
    const to = orders.findIndex((o) => o.id === order.id);
    const span = range && from >= 0 ? orders.slice(Math.min(from, to), Math.max(from, to) + 1) : [order];
    for (const o of span) {
      if (!canFulfil(o)) continue;
      if (on) next.add(o.id);
      else next.delete(o.id);
    }
    anchor.current = order.id;
    setChecked(next);
  }
  const selectable = orders.filter(canFulfil);
  const allChecked = selectable.length > 0 && selectable.every((o) => checked.has(o.id));
  const checkedOrders = orders.filter((o) => checked.has(o.id));
  const [bulkOutcome, setBulkOutcome] = useState<{ fulfilled: number; failures: BulkFailure[] }>();
  useEffect(() => setBulkOutcome(undefined), [JSON.stringify(filter)]);

  return (
    <div class={`${styles.layout} ${openId ? styles.withDetail : ''}`}>
      <section class={styles.listPane} aria-labelledby="orders-title">
        <div class={styles.toolbar}>
          <h1 id="orders-title" class={styles.title}>
            Orders
          </h1>
          <span class={styles.live} data-live={list.live} role="status">
            {list.live === 'open' ? 'Live' : list.live === 'refused' ? 'Not live' : 'Connecting…'}
          </span>
          <div class={styles.search}>
            <label for="order-search" class="visually-hidden">
              Search orders
            </label>
            <input
              id="order-search"
              ref={searchRef}
              type="search"
              placeholder="Number, phone, email or name"
              value={search}
              autoComplete="off"
              onInput={(e) => setSearch(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key !== 'Enter') return;
                e.preventDefault();
                if (search.trim() === q) {
                  if (!list.loading && orders[0]) rowRefs.current.get(orders[0].id)?.focus();
                  else focusFirstResult.current = true;
                } else {
                  focusFirstResult.current = true;
                  navigate(listHref({ q: search.trim() }), { replace: true });
                }
              }}
            />
            <kbd aria-hidden="true">/</kbd>
          </div>
        </div>

        <nav class={styles.tabs} aria-label="Order status">
          {STATUS_TABS.map((tab) => (
            <Link key={tab.label} href={listHref({ status: tab.status })} aria-current={tab.status === status ? 'page' : undefined}>
              {tab.label}
            </Link>
          ))}
        </nav>

        <OrderFilters filter={filter} onChange={(changes) => navigate(listHref(changes), { replace: true })} />

        {checkedOrders.length > 0 && (
          <BulkFulfil
            orders={checkedOrders}
            onDone={(fulfilled, failures) => {
              list.replace(fulfilled);
              setChecked(new Set(failures.map((f) => f.id)));
              setBulkOutcome({ fulfilled: fulfilled.length, failures });
            }}
            onClear={() => setChecked(new Set())}
          />
        )}

        {bulkOutcome && <BulkOutcome {...bulkOutcome} />}

        {list.error !== undefined && <ErrorNotice error={list.error} onRetry={list.reload} />}

        <div class={styles.listWrap} aria-busy={list.loading}>
          {list.loading && orders.length > 0 && <div class={styles.progress} role="progressbar" aria-label="Loading orders" />}
          <div class={styles.headerWrap}>
            <span class={styles.check}>
              <input
                type="checkbox"
                aria-label="Select every order that can be fulfilled"
                checked={allChecked}
                disabled={!selectable.length}
                onChange={(e) => setChecked(e.currentTarget.checked ? new Set(selectable.map((o) => o.id)) : new Set())}
              />
            </span>
            <div class={styles.header} aria-hidden="true">
              <span>Order</span>
              <span>Customer</span>
              <span class={styles.right}>Items</span>
              <span class={styles.right}>Total</span>
              <span>Payment</span>
              <span>Status</span>
              <span class={styles.right}>Age</span>
            </div>
          </div>
          {!orders.length && list.loading ? (
            <ul class={styles.rows} aria-label="Loading orders">
              {Array.from({ length: SKELETON_ROWS }, (_, i) => (
                <li key={i} class={styles.skeleton} />
              ))}
            </ul>
          ) : orders.length ? (
            <ul class={`${styles.rows} ${list.loading ? styles.stale : ''}`} aria-label="Orders">
              {orders.map((order, index) => {
                const payment = paymentState(order);
                return (
                  <li key={order.id} class={styles.item}>
                    <span class={styles.check}>
                      <input
                        type="checkbox"
                        aria-label={`Select ${order.number}`}
                        checked={checked.has(order.id)}
                        disabled={!canFulfil(order)}
                        title={canFulfil(order) ? 'Select for bulk fulfilment (shift-click selects a range)' : 'Cannot be fulfilled now'}
                        onClick={(e) => toggle(order, e.currentTarget.checked, e.shiftKey)}
                      />
                    </span>
                    <Link
                      ref={(el: HTMLAnchorElement | null) => {
                        if (el) rowRefs.current.set(order.id, el);
                        else rowRefs.current.delete(order.id);
                      }}
                      href={orderHref(order)}
                      class={`${styles.row} ${index === selectedIndex ? styles.selected : ''} ${order.id === openId ? styles.open : ''}`}
                      aria-current={order.id === openId ? 'true' : undefined}
                      data-order-number={order.number}
                      onFocus={() => setSelectedId(order.id)}
                    >
                      <span class={`${styles.number} mono`}>{order.number}</span>
                      <span class={styles.customer}>
                        <span class={styles.name}>{order.customerName}</span>
                        <span class="muted">{order.phone}</span>
                      </span>
                      <span class={`${styles.items} num`}>
                        {itemCount(order)} {itemCount(order) === 1 ? 'item' : 'items'}
                      </span>
                      <span class={`${styles.total} num`}>{formatMoney(order.totalMinor, order.currency)}</span>
                      <span class={styles.payment}>
                        <Badge tone={payment.tone}>{payment.label}</Badge>
                        <span class="muted">{PROVIDER[order.paymentMethod] ?? order.paymentMethod}</span>
                      </span>
                      <span class={styles.status}>
                        <Badge tone={STATUS[order.status].tone}>{STATUS[order.status].label}</Badge>
                      </span>
                      <time class={`${styles.age} muted num`} dateTime={order.createdAt} title={formatDateTime(order.createdAt)}>
                        {age(order.createdAt)}
                      </time>
                    </Link>
                  </li>
                );
              })}
            </ul>
          ) : !list.loading && list.error === undefined ? (
            q || filter.from || filter.to || filter.paymentMethod ? (
              <EmptyState title={q ? `No orders match “${q}”` : 'No orders match these filters'}>
                <p>Search by order number (OL-000042 or 42), the customer’s phone (or its last digits), email or name.</p>
                <Button size="small" onClick={() => navigate(withQuery('/console/orders', { status }))}>
                  Clear search and filters
                </Button>
              </EmptyState>
            ) : (
              <EmptyState title={status ? `No orders are ${STATUS[status].label.toLowerCase()}` : 'No orders yet'}>
                <p>
                  {status
                    ? 'Orders show up here as soon as they reach this status.'
                    : 'Orders appear here as soon as customers check out. Share a product link to get the first one.'}
                </p>
                {status && <Link href="/console/orders">See all orders</Link>}
              </EmptyState>
            )
          ) : null}
        </div>

        {orders.length > 0 && (
          <div class={styles.pager}>
            <span class="muted num" data-testid="orders-count">
              {orders.length} of {list.total.toLocaleString()}
              {list.totalCapped ? '+' : ''}
            </span>
            {list.hasMore && (
              <Button size="small" busy={list.loadingMore} onClick={list.loadMore}>
                Load {Math.min(50, Math.max(0, list.total - orders.length)) || 50} more
              </Button>
            )}
          </div>
        )}
        <p class={styles.keys} aria-hidden="true">
          <kbd>/</kbd> search <kbd>j</kbd>
          <kbd>k</kbd> move <kbd>Enter</kbd> open <kbd>Esc</kbd> close <kbd>Shift</kbd>+click select a range
        </p>
      </section>

      {openId && <OrderDetail key={openId} id={openId} closeHref={closeHref} onChanged={list.refreshOrder} />}
    </div>
  );
}
