import { ApiError } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Button } from '../../components/Button.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { api } from '../session.js';
import { filterQuery, type OrderFilter } from './use-order-list.js';
import styles from './OrderFilters.module.css';

/**
 * Downloads the filtered list as CSV. The server streams it; the browser collects it and saves it under the server's
 * file name (a plain link could not carry the in-memory access token).
 */
export function ExportCsv({ filter }: { filter: OrderFilter }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function download() {
    setBusy(true);
    setError(undefined);
    try {
      const { data, response } = await api.GET('/orders/export.csv', { params: { query: filterQuery(filter) }, parseAs: 'blob' });
      if (!response.ok || !data) throw new ApiError(response.status, `The export failed (${response.status})`, null);
      const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'orders.csv';
      const url = URL.createObjectURL(data);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class={styles.export}>
      <Button size="small" busy={busy} onClick={() => void download()}>
        Export CSV
      </Button>
      {error !== undefined && <ErrorNotice error={error} />}
    </div>
  );
}
