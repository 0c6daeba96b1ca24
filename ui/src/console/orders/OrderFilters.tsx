import { isStatus } from './labels.js';
import { PROVIDER } from './labels.js';
import type { OrderFilter } from './use-order-list.js';
import styles from './OrderFilters.module.css';
import { ExportCsv } from './ExportCsv.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The list's filter from the address bar (?status=&q=&payment=&from=&to=); anything malformed is ignored. */
export function readFilter(query: URLSearchParams): OrderFilter {
  const status = query.get('status');
  const payment = query.get('payment')?.toUpperCase();
  const day = (name: string) => {
    const value = query.get(name);
    return value && DAY.test(value) ? value : undefined;
  };
  return {
    status: isStatus(status) ? status : undefined,
    q: query.get('q') ?? '',
    paymentMethod: payment && /^[A-Z][A-Z0-9_]{0,31}$/.test(payment) ? payment : undefined,
    from: day('from'),
    to: day('to'),
  };
}

type Changes = { payment?: string; from?: string; to?: string };

/** Date range (calendar days, inclusive) and payment method, plus the CSV export of what they select. */
export function OrderFilters({ filter, onChange }: { filter: OrderFilter; onChange: (changes: Changes) => void }) {
  const set = (changes: Changes) => onChange({ payment: filter.paymentMethod, from: filter.from, to: filter.to, ...changes });
  return (
    <div class={styles.filters} role="group" aria-label="Filters">
      <label class={styles.filter}>
        <span>From</span>
        <input type="date" value={filter.from ?? ''} max={filter.to} onChange={(e) => set({ from: e.currentTarget.value || undefined })} />
      </label>
      <label class={styles.filter}>
        <span>To</span>
        <input type="date" value={filter.to ?? ''} min={filter.from} onChange={(e) => set({ to: e.currentTarget.value || undefined })} />
      </label>
      <label class={styles.filter}>
        <span>Payment</span>
        <select value={filter.paymentMethod ?? ''} onChange={(e) => set({ payment: e.currentTarget.value || undefined })}>
          <option value="">Any method</option>
          {Object.entries(PROVIDER).map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {(filter.from || filter.to || filter.paymentMethod) && (
        <button type="button" class={styles.clear} onClick={() => onChange({})}>
          Clear filters
        </button>
      )}
      <ExportCsv filter={filter} />
    </div>
  );
}
