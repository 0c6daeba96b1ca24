import { unwrap } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Link } from '../../lib/router.js';
import { age, formatDateTime } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import { SearchBox } from '../SearchBox.js';
import { customerHref, lifetime } from './format.js';
import styles from '../Page.module.css';

/** Customers, built from their orders: who buys, how often, and for how much. */
export function CustomersPage() {
  const [q, setQ] = useState('');
  const list = useAsync(() => unwrap(api.GET('/admin/customers', { params: { query: { q: q || undefined, limit: 100 } } })), [q]);
  const customers = list.data?.items ?? [];
  return (
    <div class={styles.page}>
      <div class={styles.head}>
        <h1>Customers</h1>
        <SearchBox label="Search customers" placeholder="Name, email or phone" onSearch={setQ} />
      </div>
      {list.error !== undefined && <ErrorNotice error={list.error} onRetry={list.reload} />}
      <section class={styles.card} aria-label="Customers" aria-busy={list.loading}>
        {list.data && !customers.length ? (
          <EmptyState title={q ? `No customers match “${q}”` : 'No customers yet'}>
            <p>Everyone who places an order appears here, by the phone number they checked out with.</p>
          </EmptyState>
        ) : (
          <table class={styles.table}>
            <thead>
              <tr>
                <th>Customer</th>
                <th>Phone</th>
                <th class={styles.num}>Orders</th>
                <th class={styles.num}>Lifetime value</th>
                <th>Last order</th>
                <th>Tags</th>
              </tr>
            </thead>
            <tbody>
              {customers.map((c) => (
                <tr key={c.phone}>
                  <td data-label="Customer">
                    <Link href={customerHref(c.phone)}>{c.name}</Link>
                  </td>
                  <td data-label="Phone" class="mono">
                    {c.phone}
                  </td>
                  <td data-label="Orders" class={`${styles.num} num`}>
                    {c.orders}
                  </td>
                  <td data-label="Lifetime value" class={`${styles.num} num`}>
                    {lifetime(c)}
                  </td>
                  <td data-label="Last order" title={formatDateTime(c.lastOrderAt)}>
                    {age(c.lastOrderAt)} ago
                  </td>
                  <td data-label="Tags">
                    {c.tags.map((tag) => (
                      <Badge key={tag} tone="info">
                        {tag}
                      </Badge>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
