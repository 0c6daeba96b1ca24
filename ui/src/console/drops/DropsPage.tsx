import { unwrap } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { Link, navigate } from '../../lib/router.js';
import { formatDateTime } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import { Countdown, PHASE_LABEL, PHASE_TONE, toIso, useServerClock } from './drop-time.js';
import styles from '../Page.module.css';

/** Drops: scheduled sales, each with its countdown and live sold / remaining / waitlist counts; a new one below. */
export function DropsPage() {
  const drops = useAsync(() => unwrap(api.GET('/admin/drops')), []);
  const clock = useServerClock(drops.data?.[0]?.serverTime);
  const [creating, setCreating] = useState(false);
  const list = drops.data ?? [];
  return (
    <div class={styles.page}>
      <div class={styles.head}>
        <h1>Drops</h1>
        <Button variant="primary" onClick={() => setCreating(true)} disabled={creating}>
          New drop
        </Button>
      </div>
      {drops.error !== undefined && <ErrorNotice error={drops.error} onRetry={drops.reload} />}
      {creating && <NewDrop onClose={() => setCreating(false)} />}
      <section class={styles.card} aria-label="Drops" aria-busy={drops.loading}>
        {drops.data && !list.length ? (
          <EmptyState title="No drops yet">
            <p>Schedule a drop to sell a few products at a set time, with early access for your best customers and a limit per customer.</p>
          </EmptyState>
        ) : (
          <table class={styles.table}>
            <thead>
              <tr>
                <th>Drop</th>
                <th>State</th>
                <th>Starts</th>
                <th class={styles.num}>Sold</th>
                <th class={styles.num}>Remaining</th>
                <th class={styles.num}>Waitlist</th>
              </tr>
            </thead>
            <tbody>
              {list.map((drop) => (
                <tr key={drop.id}>
                  <td data-label="Drop">
                    <Link href={`/console/drops/${drop.id}`}>{drop.name}</Link>
                  </td>
                  <td data-label="State">
                    <Badge tone={PHASE_TONE[drop.phase]}>{PHASE_LABEL[drop.phase]}</Badge>{' '}
                    {drop.phase === 'scheduled' || drop.phase === 'early_access' ? <Countdown to={drop.startsAt} clock={clock} /> : null}
                  </td>
                  <td data-label="Starts">{formatDateTime(drop.startsAt)}</td>
                  <td data-label="Sold" class={`${styles.num} num`}>
                    {drop.sold}
                  </td>
                  <td data-label="Remaining" class={`${styles.num} num`}>
                    {drop.remaining}
                  </td>
                  <td data-label="Waitlist" class={`${styles.num} num`}>
                    {drop.waitlist}
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

/** The new-drop form: name, times (in the browser's time zone), limits, access code and the products it sells. */
function NewDrop({ onClose }: { onClose: () => void }) {
  const products = useAsync(() => unwrap(api.GET('/products', { params: { query: { limit: 100 } } })), []);
  const [form, setForm] = useState({
    name: '',
    startsAt: '',
    earlyAccessStartsAt: '',
    endsAt: '',
    perCustomerLimit: '',
    perOrderLimit: '',
    accessCode: '',
  });
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const set = (key: keyof typeof form) => (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [key]: e.currentTarget.value });
  const limit = (text: string) => (text.trim() ? Number(text) : undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const drop = await unwrap(
        api.POST('/admin/drops', {
          body: {
            name: form.name.trim(),
            startsAt: toIso(form.startsAt) ?? '',
            earlyAccessStartsAt: toIso(form.earlyAccessStartsAt),
            endsAt: toIso(form.endsAt),
            perCustomerLimit: limit(form.perCustomerLimit),
            perOrderLimit: limit(form.perOrderLimit),
            accessCode: form.accessCode.trim() || undefined,
            productIds: [...chosen],
          },
        }),
      );
      navigate(`/console/drops/${drop.id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <form class={styles.card} aria-label="New drop" onSubmit={(e) => void submit(e)}>
      <h2>New drop</h2>
      {error !== undefined && <ErrorNotice error={error} />}
      <div class={styles.fields}>
        <Field label="Name" required maxLength={120} autoFocus value={form.name} onInput={set('name')} />
        <Field label="Opens to everyone at" type="datetime-local" required value={form.startsAt} onInput={set('startsAt')} />
        <Field
          label="Early access from"
          type="datetime-local"
          hint="Optional: listed customers and code holders may buy from then"
          value={form.earlyAccessStartsAt}
          onInput={set('earlyAccessStartsAt')}
        />
        <Field label="Ends at" type="datetime-local" hint="Optional" value={form.endsAt} onInput={set('endsAt')} />
        <Field
          label="Units per customer"
          type="number"
          min={1}
          max={1000}
          hint="Counted by phone, email and account"
          value={form.perCustomerLimit}
          onInput={set('perCustomerLimit')}
        />
        <Field
          label="Units per order"
          type="number"
          min={1}
          max={1000}
          hint="Optional"
          value={form.perOrderLimit}
          onInput={set('perOrderLimit')}
        />
        <Field
          label="Access code"
          minLength={4}
          maxLength={64}
          hint="Optional: lets anyone who has it in early"
          value={form.accessCode}
          onInput={set('accessCode')}
        />
      </div>
      <fieldset class={styles.checks}>
        <legend>Products in the drop</legend>
        {(products.data?.items ?? []).map((product) => (
          <label key={product.id} class={styles.check}>
            <input
              type="checkbox"
              checked={chosen.has(product.id)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.currentTarget.checked) next.add(product.id);
                else next.delete(product.id);
                setChosen(next);
              }}
            />{' '}
            {product.name}
          </label>
        ))}
      </fieldset>
      <div class={styles.actions}>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={busy} disabled={!chosen.size}>
          Schedule drop
        </Button>
      </div>
    </form>
  );
}
