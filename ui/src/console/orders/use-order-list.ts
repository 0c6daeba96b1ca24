import { unwrap } from '@orderline/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { listenLive, type LiveStatus } from '../../shop/lib/live.js';
import { api } from '../session.js';
import type { Order, OrderStatus } from './labels.js';

export const PAGE_SIZE = 50;

/** What the list is filtered by (all in the URL). Dates are the browser's calendar days, `to` inclusive. */
export interface OrderFilter {
  status?: OrderStatus;
  q: string;
  paymentMethod?: string;
  from?: string;
  to?: string;
}

/** The filter as API query parameters: calendar days become instants at the browser's local midnight. */
export function filterQuery(filter: OrderFilter) {
  const day = (date: string, plusDays = 0) => {
    const [y, m, d] = date.split('-').map(Number);
    return new Date(y, m - 1, d + plusDays).toISOString();
  };
  return {
    status: filter.status,
    q: filter.q || undefined,
    paymentMethod: filter.paymentMethod,
    from: filter.from ? day(filter.from) : undefined,
    to: filter.to ? day(filter.to, 1) : undefined,
  };
}

/** Whether a changed order belongs in this list (q is matched by the server: such lists take changes on reload only). */
function matches(order: Order, filter: OrderFilter): boolean {
  const query = filterQuery(filter);
  if (filter.q) return false;
  if (query.status && order.status !== query.status) return false;
  if (query.paymentMethod && order.paymentMethod !== query.paymentMethod) return false;
  if (query.from && order.createdAt < query.from) return false;
  if (query.to && order.createdAt >= query.to) return false;
  return true;
}

export interface OrderList {
  orders: Order[];
  total: number;
  totalCapped: boolean;
  loading: boolean;
  loadingMore: boolean;
  error?: unknown;
  hasMore: boolean;
  live: LiveStatus;
  loadMore: () => void;
  reload: () => void;
  /** Puts orders the console changed (bulk fulfil) in place. */
  replace: (orders: Order[]) => void;
  /** Reads one order again (after an action on it) and updates or adds its row. */
  refreshOrder: (id: string) => void;
}

/**
 * The staff order list: the first page for the filter, older pages appended by cursor ("Load more"), and live
 * changes from GET /live/orders — a changed order is updated in place, a new one that fits the filter is added at the
 * top. Rows never move under the cursor: an order that changes out of the tab's status stays until the next load.
 */
export function useOrderList(filter: OrderFilter): OrderList {
  const key = JSON.stringify(filter);
  const [state, setState] = useState<{ orders: Order[]; total: number; totalCapped: boolean; nextCursor: string | null }>({
    orders: [],
    total: 0,
    totalCapped: false,
    nextCursor: null,
  });
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>();
  const [generation, setGeneration] = useState(0);
  const [live, setLive] = useState<LiveStatus>('connecting');
  const request = useRef(0);
  const current = useRef({ filter, orders: state.orders });
  current.current = { filter, orders: state.orders };

  const fetchPage = (cursor?: string) =>
    unwrap(api.GET('/orders', { params: { query: { ...filterQuery(filter), cursor, limit: PAGE_SIZE } } }));

  useEffect(() => {
    const mine = ++request.current;
    setLoading(true);
    setError(undefined);
    fetchPage().then(
      (page) => {
        if (mine !== request.current) return;
        setState({ orders: page.items, total: page.total, totalCapped: page.totalCapped, nextCursor: page.nextCursor ?? null });
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== request.current) return;
        setError(failure);
        setLoading(false);
      },
    );
  }, [key, generation]);

  const loadMore = () => {
    if (!state.nextCursor || loadingMore) return;
    const mine = request.current;
    setLoadingMore(true);
    fetchPage(state.nextCursor)
      .then((page) => {
        if (mine !== request.current) return;
        setState((s) => {
          const known = new Set(s.orders.map((o) => o.id));
          return { ...s, orders: [...s.orders, ...page.items.filter((o) => !known.has(o.id))], nextCursor: page.nextCursor ?? null };
        });
      }, setError)
      .finally(() => setLoadingMore(false));
  };

  const replace = (changed: Order[]) => {
    const byId = new Map(changed.map((o) => [o.id, o]));
    setState((s) => ({ ...s, orders: s.orders.map((o) => byId.get(o.id) ?? o) }));
  };

  const onChange = async (id: string) => {
    const order = await unwrap(api.GET('/orders/{id}', { params: { path: { id } } })).catch(() => undefined);
    if (!order) return;
    const { filter: now, orders } = current.current;
    if (orders.some((o) => o.id === id)) replace([order]);
    else if (matches(order, now) && (!orders.length || order.createdAt >= orders[0].createdAt)) {
      setState((s) =>
        s.orders.some((o) => o.id === id) ? s : { ...s, orders: [order, ...s.orders], total: s.total + (s.totalCapped ? 0 : 1) },
      );
    }
  };

  useEffect(() => {
    let wasDown = false;
    return listenLive({
      connect: (signal) => api.GET('/live/orders', { parseAs: 'stream', signal }),
      onEvent(event, data) {
        if (event === 'order') void onChange((data as { id: string }).id);
        // Changes may have been missed (a reconnect): read the list again.
        else if (event === 'resync') setGeneration((g) => g + 1);
      },
      onStatus(status) {
        // Back after a dropped connection: what changed meanwhile was not heard, so read the list again.
        if (status === 'open' && wasDown) setGeneration((g) => g + 1);
        wasDown = status === 'reconnecting';
        setLive(status);
      },
    });
  }, []);

  return {
    orders: state.orders,
    total: state.total,
    totalCapped: state.totalCapped,
    loading,
    loadingMore,
    error,
    hasMore: state.nextCursor !== null,
    live,
    loadMore,
    reload: () => setGeneration((g) => g + 1),
    replace,
    refreshOrder: (id) => void onChange(id),
  };
}
