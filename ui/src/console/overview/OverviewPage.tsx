import { unwrap } from '@orderline/client';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatMoney } from '../../lib/money.js';
import { Link } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import styles from '../Page.module.css';

/** Midnight today in the browser's time zone: "today" is the staff member's day. */
function localMidnight(): string {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

/** The first screen: today's orders and revenue, and what needs doing, each linking to where it is done. */
export function OverviewPage() {
  const overview = useAsync(() => unwrap(api.GET('/admin/overview', { params: { query: { since: localMidnight() } } })), []);
  const data = overview.data;
  const tiles = data && [
    { label: 'Orders today', value: String(data.ordersToday), href: '/console/orders' },
    {
      label: 'Revenue today',
      value: data.revenueToday.length
        ? data.revenueToday.map((r) => formatMoney(r.amountMinor, r.currency)).join(' + ')
        : formatMoney(0, 'INR'),
      href: '/console/orders',
    },
    { label: 'To fulfil', value: String(data.pendingFulfilment), href: '/console/orders?status=PAID' },
    { label: 'Low stock', value: String(data.lowStock), href: '/console/inventory?low=1' },
    { label: 'Failed deliveries', value: String(data.failedDeliveries), href: '/console/settings#deliveries' },
  ];
  return (
    <div class={styles.page}>
      <div class={styles.head}>
        <h1>Overview</h1>
      </div>
      {overview.error !== undefined && <ErrorNotice error={overview.error} onRetry={overview.reload} />}
      <ul class={styles.tiles} aria-label="Today" aria-busy={overview.loading}>
        {(tiles ?? []).map((tile) => (
          <li key={tile.label}>
            <Link href={tile.href} class={styles.tile}>
              <span class={styles.tileLabel}>{tile.label}</span>
              <span class={`${styles.tileValue} num`} data-testid={`overview-${tile.label}`}>
                {tile.value}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
