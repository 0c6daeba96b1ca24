import { unwrap, type Schemas } from '@orderline/client';
import { useRef, useState } from 'preact/hooks';
import { Button } from '../../components/Button.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { newIdempotencyKey } from '../../lib/ids.js';
import { api } from '../session.js';
import type { Order } from './labels.js';
import styles from './BulkFulfil.module.css';

type Result = Schemas['BulkFulfillResult'];
export interface BulkFailure {
  id: string;
  number: string;
  message: string;
}

/**
 * The bar over the list while orders are selected: fulfil them all in one API call (one transaction per order on the
 * server); the page then says what happened to each (BulkOutcome), and the ones that failed stay selected.
 */
export function BulkFulfil({
  orders,
  onDone,
  onClear,
}: {
  orders: Order[];
  onDone: (fulfilled: Order[], failures: BulkFailure[]) => void;
  onClear: () => void;
}) {
  const [carrier, setCarrier] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // One key per selection until it succeeds: a retry after a lost answer cannot fulfil twice.
  const key = useRef<{ ids: string; key: string } | undefined>(undefined);

  async function fulfil() {
    const ids = orders.map((o) => o.id);
    if (key.current?.ids !== ids.join()) key.current = { ids: ids.join(), key: newIdempotencyKey() };
    setBusy(true);
    setError(undefined);
    try {
      const response = await unwrap(
        api.POST('/orders/bulk-fulfill', {
          params: { header: { 'Idempotency-Key': key.current.key } },
          body: { orderIds: ids, carrier: carrier.trim() || undefined },
        }),
      );
      key.current = undefined;
      const number = new Map(orders.map((o) => [o.id, o.number]));
      const failures = response.results
        .filter((r: Result) => !r.ok)
        .map((r) => ({ id: r.orderId, number: number.get(r.orderId) ?? r.orderId, message: r.error?.message ?? 'Not fulfilled' }));
      onDone(
        response.results.flatMap((r) => (r.order ? [r.order] : [])),
        failures,
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class={styles.bar} role="region" aria-label="Bulk actions">
      <strong class={styles.count}>{orders.length} selected</strong>
      <label class={styles.carrier}>
        <span class="visually-hidden">Carrier for these orders</span>
        <input value={carrier} placeholder="Carrier (optional)" maxLength={100} onInput={(e) => setCarrier(e.currentTarget.value)} />
      </label>
      <Button variant="primary" size="small" busy={busy} onClick={() => void fulfil()}>
        Fulfil {orders.length} {orders.length === 1 ? 'order' : 'orders'}
      </Button>
      <Button variant="ghost" size="small" onClick={onClear}>
        Clear selection
      </Button>
      {error !== undefined && <ErrorNotice error={error} />}
    </div>
  );
}

/** What the last bulk fulfilment did: how many shipped, and each order that did not with the API's reason. */
export function BulkOutcome({ fulfilled, failures }: { fulfilled: number; failures: BulkFailure[] }) {
  return (
    <div class={styles.outcome} role="status">
      {fulfilled} fulfilled{failures.length ? `, ${failures.length} not:` : '.'}
      {failures.length > 0 && (
        <ul>
          {failures.map((f) => (
            <li key={f.id}>
              <span class="mono">{f.number}</span>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
