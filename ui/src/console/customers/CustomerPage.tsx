import { unwrap } from '@orderline/client';
import { useEffect, useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { formatMoney } from '../../lib/money.js';
import { Link, withQuery } from '../../lib/router.js';
import { formatDateTime } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import { STATUS } from '../orders/labels.js';
import { lifetime } from './format.js';
import styles from '../Page.module.css';

/** One customer: what they bought and paid, their orders, and the note and tags staff keep. */
export function CustomerPage({ phone }: { phone: string }) {
  const loaded = useAsync(
    () =>
      Promise.all([
        unwrap(api.GET('/admin/customers/{phone}', { params: { path: { phone } } })),
        unwrap(api.GET('/orders', { params: { query: { q: phone, limit: 50 } } })),
      ]),
    [phone],
  );
  const [customer, orders] = loaded.data ?? [];
  const [note, setNote] = useState('');
  const [tags, setTags] = useState('');
  useEffect(() => {
    setNote(customer?.note ?? '');
    setTags(customer?.tags.join(', ') ?? '');
  }, [customer]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await unwrap(
        api.PATCH('/admin/customers/{phone}', {
          params: { path: { phone } },
          body: {
            note: note.trim() || null,
            tags: tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          },
        }),
      );
      setSaved(true);
      loaded.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class={styles.page}>
      <Link href="/console/customers">← Customers</Link>
      {loaded.error !== undefined && <ErrorNotice error={loaded.error} onRetry={loaded.reload} />}
      {customer && orders && (
        <>
          <div class={styles.head}>
            <h1>{customer.name}</h1>
          </div>
          <section class={styles.card} aria-label="Summary">
            <dl class={styles.stats}>
              <div>
                <dt>Phone</dt>
                <dd class="mono">{customer.phone}</dd>
              </div>
              <div>
                <dt>Email</dt>
                <dd>{customer.email ?? '—'}</dd>
              </div>
              <div>
                <dt>Orders</dt>
                <dd class="num">{customer.orders}</dd>
              </div>
              <div>
                <dt>Lifetime value</dt>
                <dd class="num" data-testid="lifetime-value">
                  {lifetime(customer)}
                </dd>
              </div>
              <div>
                <dt>Returned to origin</dt>
                <dd class="num" data-testid="rto-count">
                  {customer.rtoCount}
                </dd>
              </div>
              <div>
                <dt>Customer since</dt>
                <dd>{formatDateTime(customer.firstOrderAt)}</dd>
              </div>
            </dl>
          </section>
          <form class={styles.card} onSubmit={(e) => void save(e)} aria-labelledby="notes-title">
            <h2 id="notes-title">Notes and tags</h2>
            {saved && (
              <p class={styles.done} role="status">
                Saved.
              </p>
            )}
            {error !== undefined && <ErrorNotice error={error} />}
            <Field label="Note" multiline maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            <Field label="Tags" hint="Comma-separated, e.g. vip, wholesale" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
            <div class={styles.actions}>
              <Button type="submit" variant="primary" busy={busy}>
                Save notes and tags
              </Button>
            </div>
          </form>
          <section class={styles.card} aria-labelledby="customer-orders-title">
            <h2 id="customer-orders-title">Orders</h2>
            <table class={styles.table}>
              <tbody>
                {orders.items
                  .filter((o) => o.phone === customer.phone)
                  .map((o) => (
                    <tr key={o.id}>
                      <td data-label="Order">
                        <Link class="mono" href={withQuery(`/console/orders/${o.id}`, { q: customer.phone })}>
                          {o.number}
                        </Link>
                      </td>
                      <td data-label="Placed">{formatDateTime(o.createdAt)}</td>
                      <td data-label="Status">
                        <Badge tone={STATUS[o.status].tone}>{STATUS[o.status].label}</Badge>
                      </td>
                      <td data-label="Total" class={`${styles.num} num`}>
                        {formatMoney(o.totalMinor, o.currency)}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
