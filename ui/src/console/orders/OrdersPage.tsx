import { unwrap } from '@orderline/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useHotkeys } from '../../lib/hotkeys.js';
import { formatMoney } from '../../lib/money.js';
import { Link, navigate, useLocation, withQuery } from '../../lib/router.js';
import { age, formatDateTime } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import { isStatus, itemCount, paymentState, PROVIDER, STATUS, STATUS_TABS, type Order } from './labels.js';
import { OrderDetail } from './OrderDetail.js';
import styles from './OrdersPage.module.css';

const PAGE_SIZE = 50;
const SKELETON_ROWS = 8;

/**
 * The orders list (status tabs, search, pages) with the opened order beside it. Filters live in the URL, and the list
 * stays mounted while an order is open, so opening and closing one never loses the filters or the scroll position.
 */
export function OrdersPage({ openId }: { openId?: string }) {
  const { query } = useLocation();
  const rawStatus = query.get('status');
  const status = isStatus(rawStatus) ? rawStatus : undefined;
  const q = query.get('q') ?? '';
  const page = Math.max(1, Number(query.get('page')) || 1);
  const listHref = (changes: { status?: string; q?: string; page?: number }) =>
    withQuery('/console/orders', { status, q, page: page > 1 ? page : undefined, ...changes });
  const suffix = withQuery('', { status, q, page: page > 1 ? page : undefined });

  const list = useAsync(
    () => unwrap(api.GET('/orders', { params: { query: { status, q: q || undefined, page, limit: PAGE_SIZE } } })),
    [status, q, page],
  );
  const orders = list.data?.items ?? [];

  const [search, setSearch] = useState(q);
  const searchRef = useRef<HTMLInputElement>(null);
  useEffect(() => setSearch(q), [q]);
  useEffect(() => {
    if (search.trim() === q) return;
    const timer = setTimeout(() => navigate(listHref({ q: search.trim(), page: undefined }), { replace: true }), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const [selected, setSelected] = useState(0);
  const rowRefs = useRef<(HTMLAnchorElement | null)[]>([]);
  // Enter in the search box moves to the first result once the results for that search are in.
  const focusFirstResult = useRef(false);
  useEffect(() => {
    const index = orders.findIndex((o) => o.id === openId);
    if (index >= 0) setSelected(index);
    else setSelected((s) => Math.min(s, Math.max(0, orders.length - 1)));
    if (focusFirstResult.current && !list.loading) {
      focusFirstResult.current = false;
      rowRefs.current[0]?.focus();
    }
  }, [openId, list.data, list.loading]);
  const orderHref = (order: Order) => `/console/orders/${order.id}${suffix}`;
  const closeHref = `/console/orders${suffix}`;

  function move(step: number) {
    if (!orders.length) return;
    const next = Math.min(orders.length - 1, Math.max(0, selected + step));
    setSelected(next);
    rowRefs.current[next]?.scrollIntoView({ block: 'nearest' });
    // With an order open, j/k flip through the list's orders.
    if (openId) navigate(orderHref(orders[next]), { replace: true });
  }

  useHotkeys({
    '/': () => searchRef.current?.focus(),
    j: () => move(1),
    k: () => move(-1),
    Enter: () => orders[selected] && navigate(orderHref(orders[selected])),
    Escape: () => {
      if (!openId) return;
      navigate(closeHref);
      rowRefs.current[selected]?.focus();
    },
  });

  const total = list.data?.total ?? 0;
  const first = (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);

  return (
    <div class={`${styles.layout} ${openId ? styles.withDetail : ''}`}>
      <section class={styles.listPane} aria-labelledby="orders-title">
        <div class={styles.toolbar}>
          <h1 id="orders-title" class={styles.title}>
            Orders
          </h1>
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
                  if (!list.loading) rowRefs.current[0]?.focus();
                  else focusFirstResult.current = true;
                } else {
                  focusFirstResult.current = true;
                  navigate(listHref({ q: search.trim(), page: undefined }), { replace: true });
                }
              }}
            />
            <kbd aria-hidden="true">/</kbd>
          </div>
        </div>

        <nav class={styles.tabs} aria-label="Order status">
          {STATUS_TABS.map((tab) => (
            <Link
              key={tab.label}
              href={withQuery('/console/orders', { status: tab.status, q })}
              aria-current={tab.status === status ? 'page' : undefined}
            >
              {tab.label}
            </Link>
          ))}
        </nav>

        {list.error !== undefined && <ErrorNotice error={list.error} onRetry={list.reload} />}

        <div class={styles.listWrap} aria-busy={list.loading}>
          {list.loading && list.data && <div class={styles.progress} role="progressbar" aria-label="Loading orders" />}
          <div class={styles.header} aria-hidden="true">
            <span>Order</span>
            <span>Customer</span>
            <span class={styles.right}>Items</span>
            <span class={styles.right}>Total</span>
            <span>Payment</span>
            <span>Status</span>
            <span class={styles.right}>Age</span>
          </div>
          {!list.data && list.loading ? (
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
                  <li key={order.id}>
                    <Link
                      ref={(el: HTMLAnchorElement | null) => void (rowRefs.current[index] = el)}
                      href={orderHref(order)}
                      class={`${styles.row} ${index === selected ? styles.selected : ''} ${order.id === openId ? styles.open : ''}`}
                      aria-current={order.id === openId ? 'true' : undefined}
                      data-order-number={order.number}
                      onFocus={() => setSelected(index)}
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
          ) : list.data ? (
            q ? (
              <EmptyState title={`No orders match “${q}”`}>
                <p>Search by order number (OL-000042 or 42), the customer’s phone (or its last digits), email or name.</p>
                <Button size="small" onClick={() => navigate(listHref({ q: undefined, page: undefined }))}>
                  Clear search
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

        {total > PAGE_SIZE && (
          <div class={styles.pager}>
            <span class="muted num">
              {first}–{last} of {total}
            </span>
            <Button size="small" disabled={page <= 1} onClick={() => navigate(listHref({ page: page - 1 > 1 ? page - 1 : undefined }))}>
              Previous
            </Button>
            <Button size="small" disabled={last >= total} onClick={() => navigate(listHref({ page: page + 1 }))}>
              Next
            </Button>
          </div>
        )}
        <p class={styles.keys} aria-hidden="true">
          <kbd>/</kbd> search <kbd>j</kbd>
          <kbd>k</kbd> move <kbd>Enter</kbd> open <kbd>Esc</kbd> close
        </p>
      </section>

      {openId && <OrderDetail key={openId} id={openId} closeHref={closeHref} onChanged={list.reload} />}
    </div>
  );
}
