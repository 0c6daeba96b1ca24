import { unwrap, type Schemas } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { Link, navigate, useLocation, withQuery } from '../../lib/router.js';
import { formatDateTime } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import { SearchBox } from '../SearchBox.js';
import styles from '../Page.module.css';

type Item = Schemas['InventoryItemResponse'];

const KIND: Record<Schemas['StockMovementResponse']['kind'], string> = {
  ADJUSTMENT: 'Adjusted',
  RESERVATION: 'Reserved for an order',
  RELEASE: 'Released',
  SALE: 'Sold',
  RESTOCK: 'Restocked',
};

/** Stock per variant (all, or only what is low), adjustments with a reason, and each variant's movements ledger. */
export function InventoryPage() {
  const { query } = useLocation();
  const low = query.get('low') === '1';
  const [q, setQ] = useState('');
  const list = useAsync(
    () => unwrap(api.GET('/inventory', { params: { query: { lowStock: low || undefined, q: q || undefined, limit: 100 } } })),
    [low, q],
  );
  const [adjusting, setAdjusting] = useState<Item>();
  const [ledgerOf, setLedgerOf] = useState<Item>();
  const [notice, setNotice] = useState<string>();
  const items = list.data?.items ?? [];
  return (
    <div class={styles.page}>
      <div class={styles.head}>
        <h1>Inventory</h1>
        <SearchBox label="Search by SKU or product" placeholder="SKU or product" onSearch={setQ} />
      </div>
      <nav class={styles.segments} aria-label="Inventory view">
        <Link href="/console/inventory" aria-current={low ? undefined : 'page'}>
          All stock
        </Link>
        <Link href={withQuery('/console/inventory', { low: 1 })} aria-current={low ? 'page' : undefined}>
          Low stock
        </Link>
      </nav>
      {notice && (
        <p class={styles.done} role="status">
          {notice}
        </p>
      )}
      {list.error !== undefined && <ErrorNotice error={list.error} onRetry={list.reload} />}
      <section class={styles.card} aria-label={low ? 'Low stock' : 'Stock'} aria-busy={list.loading}>
        {list.data && !items.length ? (
          <EmptyState title={low ? 'Nothing is low on stock' : 'No variants match'}>
            <p>{low ? 'Variants show here when what can be sold falls to their low-stock threshold.' : 'Add products in the catalogue.'}</p>
            {low && <Button onClick={() => navigate('/console/inventory')}>See all stock</Button>}
          </EmptyState>
        ) : (
          <table class={styles.table}>
            <thead>
              <tr>
                <th>SKU</th>
                <th>Product</th>
                <th class={styles.num}>On hand</th>
                <th class={styles.num}>Reserved</th>
                <th class={styles.num}>Available</th>
                <th class={styles.num}>Low at</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.variantId} data-sku={item.sku}>
                  <td data-label="SKU" class="mono">
                    {item.sku}
                  </td>
                  <td data-label="Product">
                    {item.productName} — {item.variantName} {item.lowStock && <Badge tone="warning">Low</Badge>}
                  </td>
                  <td data-label="On hand" class={`${styles.num} num`}>
                    {item.onHand}
                  </td>
                  <td data-label="Reserved" class={`${styles.num} num`}>
                    {item.reserved}
                  </td>
                  <td data-label="Available" class={`${styles.num} num`}>
                    {item.available}
                  </td>
                  <td data-label="Low at" class={`${styles.num} num`}>
                    {item.lowStockThreshold}
                  </td>
                  <td>
                    <div class={styles.rowActions}>
                      <Button size="small" onClick={() => setAdjusting(item)} aria-label={`Adjust stock of ${item.sku}`}>
                        Adjust…
                      </Button>
                      <Button size="small" variant="ghost" onClick={() => setLedgerOf(item)} aria-label={`Movements of ${item.sku}`}>
                        Movements
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {ledgerOf && <Movements item={ledgerOf} onClose={() => setLedgerOf(undefined)} />}
      {adjusting && (
        <Adjust
          item={adjusting}
          onClose={() => setAdjusting(undefined)}
          onDone={(message) => {
            setAdjusting(undefined);
            setNotice(message);
            list.reload();
            if (ledgerOf?.variantId === adjusting.variantId) setLedgerOf({ ...adjusting });
          }}
        />
      )}
    </div>
  );
}

function Adjust({ item, onClose, onDone }: { item: Item; onClose: () => void; onDone: (message: string) => void }) {
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const change = Number(delta);
  const valid = /^[+-]?\d+$/.test(delta.trim()) && change !== 0 && reason.trim().length > 0;
  const after = item.onHand + (Number.isFinite(change) ? change : 0);
  async function submit() {
    if (!valid) return;
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(
        api.PATCH('/inventory/{variantId}', {
          params: { path: { variantId: item.variantId } },
          body: { delta: change, reason: reason.trim() },
        }),
      );
      onDone(`${item.sku}: on hand ${item.onHand} → ${after}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <ConfirmDialog
      title={`Adjust stock of ${item.sku}`}
      confirmLabel={valid ? `Set on hand to ${after}` : 'Adjust'}
      busy={busy}
      error={error}
      onConfirm={() => void submit()}
      onClose={onClose}
    >
      <p>
        On hand {item.onHand}, reserved {item.reserved}: on hand cannot go below what is reserved.
      </p>
      <Field
        label="Change (units)"
        inputMode="numeric"
        placeholder="+10 or -2"
        required
        autoFocus
        value={delta}
        onInput={(e) => setDelta(e.currentTarget.value)}
      />
      <Field
        label="Reason"
        required
        maxLength={500}
        value={reason}
        placeholder="Stock take, damaged, received shipment…"
        onInput={(e) => setReason(e.currentTarget.value)}
      />
    </ConfirmDialog>
  );
}

function Movements({ item, onClose }: { item: Item; onClose: () => void }) {
  const ledger = useAsync(
    () =>
      unwrap(
        api.GET('/inventory/{variantId}/movements', {
          params: { path: { variantId: item.variantId }, query: { limit: 50 } },
        }),
      ),
    [item],
  );
  return (
    <section class={styles.card} aria-labelledby="ledger-title" aria-busy={ledger.loading}>
      <div class={styles.head}>
        <h2 id="ledger-title">Movements of {item.sku}</h2>
        <Button size="small" variant="ghost" onClick={onClose}>
          Close
        </Button>
      </div>
      {ledger.error !== undefined && <ErrorNotice error={ledger.error} onRetry={ledger.reload} />}
      <table class={styles.table} aria-label={`Movements of ${item.sku}`}>
        <thead>
          <tr>
            <th>When</th>
            <th>What</th>
            <th class={styles.num}>On hand</th>
            <th class={styles.num}>Reserved</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {(ledger.data?.items ?? []).map((m) => (
            <tr key={m.id}>
              <td data-label="When">{formatDateTime(m.createdAt)}</td>
              <td data-label="What">
                {KIND[m.kind]}
                {m.orderId && (
                  <>
                    {' '}
                    <Link href={`/console/orders/${m.orderId}`}>order</Link>
                  </>
                )}
              </td>
              <td data-label="On hand" class={`${styles.num} num`}>
                {m.onHandDelta > 0 ? `+${m.onHandDelta}` : m.onHandDelta}
              </td>
              <td data-label="Reserved" class={`${styles.num} num`}>
                {m.reservedDelta > 0 ? `+${m.reservedDelta}` : m.reservedDelta}
              </td>
              <td data-label="Reason">{m.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
