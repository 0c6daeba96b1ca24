import { unwrap } from '@orderline/client';
import { useEffect, useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Link } from '../../lib/router.js';
import { formatDateTime } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import { Countdown, PHASE_LABEL, PHASE_TONE, useServerClock } from './drop-time.js';
import styles from '../Page.module.css';

/** How often the live counts are read again while the page is open. */
const REFRESH_MS = 3000;

/**
 * One drop: its countdown, live sold / remaining / waitlist counts per variant (read again every few seconds), the
 * early-access list (uploaded as a CSV file) and ending it early.
 */
export function DropPage({ id }: { id: string }) {
  const drop = useAsync(() => unwrap(api.GET('/admin/drops/{id}', { params: { path: { id } } })), [id]);
  const clock = useServerClock(drop.data?.serverTime);
  const [ending, setEnding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    const timer = setInterval(drop.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [drop.reload]);
  const d = drop.data;

  async function end() {
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.POST('/admin/drops/{id}/end', { params: { path: { id } } }));
      setEnding(false);
      setNotice('The drop has ended: no further orders are taken for its items.');
      drop.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  async function upload(file: File) {
    setError(undefined);
    try {
      const result = await unwrap(
        api.POST('/admin/drops/{id}/access-list', { params: { path: { id } }, body: { csv: await file.text() } }),
      );
      setNotice(
        `${result.added} added to the early-access list (${result.total} in all).` +
          (result.skippedLines.length ? ` Lines without a phone or email: ${result.skippedLines.join(', ')}.` : ''),
      );
      drop.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <div class={styles.page}>
      <div class={styles.head}>
        <h1>{d?.name ?? 'Drop'}</h1>
        <Link href="/console/drops">All drops</Link>
      </div>
      {notice && (
        <p class={styles.done} role="status">
          {notice}
        </p>
      )}
      {drop.error !== undefined && <ErrorNotice error={drop.error} onRetry={drop.reload} />}
      {error !== undefined && !ending && <ErrorNotice error={error} />}
      {d && (
        <>
          <section class={styles.card} aria-label="Drop state">
            <p>
              <Badge tone={PHASE_TONE[d.phase]}>{PHASE_LABEL[d.phase]}</Badge>{' '}
              {d.phase === 'scheduled' && d.earlyAccessStartsAt ? (
                <>
                  Early access <Countdown to={d.earlyAccessStartsAt} clock={clock} />, everyone <Countdown to={d.startsAt} clock={clock} />
                </>
              ) : d.phase === 'scheduled' || d.phase === 'early_access' ? (
                <>
                  Opens to everyone <Countdown to={d.startsAt} clock={clock} />
                </>
              ) : null}
            </p>
            <dl class={styles.stats} aria-live="polite">
              <div>
                <dt>Sold</dt>
                <dd class="num" data-testid="drop-sold">
                  {d.sold}
                </dd>
              </div>
              <div>
                <dt>Remaining</dt>
                <dd class="num" data-testid="drop-remaining">
                  {d.remaining}
                </dd>
              </div>
              <div>
                <dt>Waitlist</dt>
                <dd class="num" data-testid="drop-waitlist">
                  {d.waitlist}
                </dd>
              </div>
              <div>
                <dt>Early-access list</dt>
                <dd class="num" data-testid="drop-access-list">
                  {d.accessListSize}
                </dd>
              </div>
            </dl>
            <p class={styles.note}>
              Opens {formatDateTime(d.startsAt)}
              {d.earlyAccessStartsAt && <> · early access from {formatDateTime(d.earlyAccessStartsAt)}</>}
              {d.endsAt && <> · ends {formatDateTime(d.endsAt)}</>}
              {d.perCustomerLimit !== null && <> · {d.perCustomerLimit} per customer</>}
              {d.perVariantLimit !== null && <> · {d.perVariantLimit} per customer of each item</>}
              {d.perOrderLimit !== null && <> · {d.perOrderLimit} per order</>}
              {d.hasAccessCode && <> · access code set</>}
            </p>
            <div class={styles.actions}>
              <label class={styles.check}>
                Upload early-access list (CSV of phones and emails){' '}
                <input
                  type="file"
                  accept=".csv,text/csv,text/plain"
                  onChange={(e) => {
                    const file = e.currentTarget.files?.[0];
                    if (file) void upload(file);
                    e.currentTarget.value = '';
                  }}
                />
              </label>
              {(d.phase === 'open' || d.phase === 'early_access') && (
                <Button variant="danger" onClick={() => setEnding(true)}>
                  End drop now…
                </Button>
              )}
            </div>
          </section>
          <section class={styles.card} aria-label="Items">
            <table class={styles.table}>
              <thead>
                <tr>
                  <th>Item</th>
                  <th>SKU</th>
                  <th class={styles.num}>Sold</th>
                  <th class={styles.num}>Held for payment</th>
                  <th class={styles.num}>Remaining</th>
                  <th class={styles.num}>Waitlist</th>
                </tr>
              </thead>
              <tbody>
                {d.variants.map((v) => (
                  <tr key={v.variantId}>
                    <td data-label="Item">
                      {v.productName} · {v.variantName}
                    </td>
                    <td data-label="SKU" class="mono">
                      {v.sku}
                    </td>
                    <td data-label="Sold" class={`${styles.num} num`}>
                      {v.sold}
                    </td>
                    <td data-label="Held for payment" class={`${styles.num} num`}>
                      {v.reserved}
                    </td>
                    <td data-label="Remaining" class={`${styles.num} num`}>
                      {v.remaining}
                    </td>
                    <td data-label="Waitlist" class={`${styles.num} num`}>
                      {v.waitlist}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
      {ending && d && (
        <ConfirmDialog
          title={`End ${d.name} now?`}
          confirmLabel="End drop"
          tone="danger"
          busy={busy}
          error={error}
          onConfirm={() => void end()}
          onClose={() => {
            setEnding(false);
            setError(undefined);
          }}
        >
          <p>
            No further orders are taken for its items from this moment; {d.remaining} unit{d.remaining === 1 ? '' : 's'} stay unsold.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
