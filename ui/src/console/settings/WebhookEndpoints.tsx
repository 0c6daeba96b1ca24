import { ApiError, unwrap, type Schemas } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { useAsync } from '../../lib/use-async.js';
import { useSubmit } from '../../lib/use-submit.js';
import { api } from '../session.js';
import { EVENT_LABELS, EVENT_NAMES, type EventName } from './events.js';
import { MessageList } from './Deliveries.js';
import styles from '../Page.module.css';

type Endpoint = Schemas['WebhookEndpointResponse'];
type Subscription = Schemas['CreateWebhookEndpointDto']['events'];
type Pending = { kind: 'rotate' | 'delete'; endpoint: Endpoint };

/** The API's words for one field (or its items: "events.0"), if it refused the form. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const messages = error.fieldErrors.filter((f) => f.field === field || f.field.startsWith(`${field}.`)).flatMap((f) => f.errors);
  return messages.length ? messages.join('; ') : undefined;
}

const describeEvents = (events: string[]) =>
  events.includes('*') ? 'All events' : events.map((e) => (EVENT_LABELS as Record<string, string | undefined>)[e] ?? e).join(', ');

/**
 * The brand's webhook endpoints: register one (its signing secret is shown once, with a copy button), change its
 * address, events or active flag, rotate its secret, delete it, and see its recent deliveries.
 */
export function WebhookEndpoints() {
  const endpoints = useAsync(() => unwrap(api.GET('/admin/webhook-endpoints')), []);
  const [editing, setEditing] = useState<Endpoint | 'new'>();
  const [open, setOpen] = useState<string>();
  const [pending, setPending] = useState<Pending>();
  const action = useSubmit();
  const [saved, setSaved] = useState<string>();
  const [secret, setSecret] = useState<{ url: string; secret: string }>();
  const notice = action.notice ?? saved;

  const confirm = () =>
    action.run(async () => {
      if (!pending) return undefined;
      const path = { id: pending.endpoint.id };
      let done: string | undefined;
      if (pending.kind === 'rotate') {
        const rotated = await unwrap(api.POST('/admin/webhook-endpoints/{id}/rotate-secret', { params: { path } }));
        setSecret({ url: rotated.url, secret: rotated.secret });
      } else {
        await unwrap(api.DELETE('/admin/webhook-endpoints/{id}', { params: { path } }));
        if (secret?.url === pending.endpoint.url) setSecret(undefined);
        done = `${pending.endpoint.url} deleted.`;
      }
      setSaved(undefined);
      setPending(undefined);
      endpoints.reload();
      return done;
    });

  const items = endpoints.data?.items ?? [];
  return (
    <section class={styles.card} aria-labelledby="endpoints-title" aria-busy={endpoints.loading}>
      <div class={styles.head}>
        <h2 id="endpoints-title">Webhook endpoints</h2>
        {editing === undefined && (
          <Button
            size="small"
            variant="primary"
            onClick={() => {
              setEditing('new');
              setSaved(undefined);
            }}
          >
            Add endpoint
          </Button>
        )}
      </div>
      <p class={styles.note}>
        Orderline POSTs each subscribed event to these addresses, signed with the endpoint's secret (header X-Orderline-Signature).
      </p>
      {notice && (
        <p class={styles.done} role="status">
          {notice}
        </p>
      )}
      {secret && <SecretOnce {...secret} onDone={() => setSecret(undefined)} />}
      {endpoints.error !== undefined && <ErrorNotice error={endpoints.error} onRetry={endpoints.reload} />}
      {editing !== undefined && (
        <EndpointForm
          endpoint={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(undefined)}
          onSaved={(saved) => {
            setEditing(undefined);
            if ('secret' in saved) setSecret({ url: saved.url, secret: saved.secret });
            else setSaved(`${saved.url} saved.`);
            endpoints.reload();
          }}
        />
      )}
      {endpoints.data && !items.length ? (
        editing === undefined && (
          <EmptyState title="No webhook endpoints yet">
            <p>Add one to send order and stock events to your own systems (ERP, warehouse, analytics).</p>
          </EmptyState>
        )
      ) : (
        <table class={styles.table} aria-label="Webhook endpoints">
          <thead>
            <tr>
              <th>URL</th>
              <th>Events</th>
              <th>State</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {items.map((endpoint) => (
              <>
                <tr key={endpoint.id}>
                  <td data-label="URL" class="mono">
                    {endpoint.url}
                  </td>
                  <td data-label="Events">{describeEvents(endpoint.events)}</td>
                  <td data-label="State">
                    {endpoint.active ? <Badge tone="success">Active</Badge> : <Badge tone="neutral">Paused</Badge>}
                  </td>
                  <td>
                    <div class={styles.rowActions}>
                      <Button size="small" variant="ghost" onClick={() => setOpen(open === endpoint.id ? undefined : endpoint.id)}>
                        {open === endpoint.id ? 'Hide deliveries' : 'Recent deliveries'}
                      </Button>
                      <Button
                        size="small"
                        onClick={() => {
                          setEditing(endpoint);
                          setSaved(undefined);
                        }}
                      >
                        Edit
                      </Button>
                      <Button size="small" onClick={() => setPending({ kind: 'rotate', endpoint })}>
                        Rotate secret…
                      </Button>
                      <Button size="small" variant="danger" onClick={() => setPending({ kind: 'delete', endpoint })}>
                        Delete…
                      </Button>
                    </div>
                  </td>
                </tr>
                {open === endpoint.id && (
                  <tr key={`${endpoint.id}-deliveries`}>
                    <td colSpan={4}>
                      <MessageList destination={`webhook:${endpoint.id}`} label={`Recent deliveries to ${endpoint.url}`} />
                    </td>
                  </tr>
                )}
              </>
            ))}
          </tbody>
        </table>
      )}
      {pending && (
        <ConfirmDialog
          title={pending.kind === 'rotate' ? `Rotate the secret of ${pending.endpoint.url}?` : `Delete ${pending.endpoint.url}?`}
          confirmLabel={pending.kind === 'rotate' ? 'Rotate secret' : 'Delete endpoint'}
          tone="danger"
          busy={action.busy}
          error={action.error}
          onConfirm={() => void confirm()}
          onClose={() => {
            setPending(undefined);
            action.clearError();
          }}
        >
          {pending.kind === 'rotate' ? (
            <p>Deliveries are signed with a new secret from now on; the receiver must switch to it. The new secret is shown once.</p>
          ) : (
            <p>No more events go to it, and deliveries still queued for it fail.</p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

/** A new or rotated signing secret, shown this once, with a copy button. */
function SecretOnce({ url, secret, onDone }: { url: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean>();
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      // Clipboard refused (permissions, insecure context): the secret stays on screen to select by hand.
      setCopied(false);
    }
  }
  return (
    <div class={styles.secret} role="region" aria-label="New signing secret">
      <p>
        Signing secret for <span class="mono">{url}</span>. Store it now: it is not shown again.
      </p>
      <code class={`mono ${styles.secretValue}`} data-testid="signing-secret">
        {secret}
      </code>
      <div class={styles.actions}>
        {copied !== undefined && (
          <span role="status" class={styles.note}>
            {copied ? 'Copied to the clipboard.' : 'Could not copy: select the secret and copy it by hand.'}
          </span>
        )}
        <Button size="small" variant="primary" onClick={() => void copy()}>
          Copy secret
        </Button>
        <Button size="small" onClick={onDone}>
          I have stored it
        </Button>
      </div>
    </div>
  );
}

function EndpointForm({
  endpoint,
  onCancel,
  onSaved,
}: {
  endpoint?: Endpoint;
  onCancel: () => void;
  onSaved: (saved: Endpoint | Schemas['WebhookEndpointWithSecretResponse']) => void;
}) {
  const [url, setUrl] = useState(endpoint?.url ?? 'https://');
  const [events, setEvents] = useState<Subscription>((endpoint?.events as Subscription | undefined) ?? []);
  const [active, setActive] = useState(endpoint?.active ?? true);
  const { busy, error, run } = useSubmit();
  const all = events.includes('*');
  const toggle = (event: EventName | '*', on: boolean) =>
    setEvents(on ? [...events.filter((e) => e !== event), event] : events.filter((e) => e !== event));

  function submit(e: Event) {
    e.preventDefault();
    void run(async () => {
      const body = { url: url.trim(), events: all ? (['*'] as Subscription) : events, active };
      onSaved(
        endpoint
          ? await unwrap(api.PATCH('/admin/webhook-endpoints/{id}', { params: { path: { id: endpoint.id } }, body }))
          : await unwrap(api.POST('/admin/webhook-endpoints', { body })),
      );
      return undefined;
    });
  }

  const title = endpoint ? `Edit ${endpoint.url}` : 'New webhook endpoint';
  const eventsError = fieldError(error, 'events');
  return (
    <form class={styles.subform} onSubmit={submit} aria-label={title}>
      <h3>{title}</h3>
      {error !== undefined && <ErrorNotice error={error} />}
      <Field
        label="URL"
        type="url"
        required
        maxLength={2048}
        autoFocus
        hint="Where Orderline POSTs events: a public https:// address"
        value={url}
        onInput={(e) => setUrl(e.currentTarget.value)}
        error={fieldError(error, 'url')}
      />
      <fieldset class={styles.credentials} aria-describedby={eventsError ? 'endpoint-events-error' : undefined}>
        <legend>Events</legend>
        <label class={styles.check}>
          <input type="checkbox" checked={all} onChange={(e) => toggle('*', e.currentTarget.checked)} />
          All events, including ones added later
        </label>
        <div class={styles.checks}>
          {EVENT_NAMES.map((name) => (
            <label key={name} class={styles.check}>
              <input
                type="checkbox"
                disabled={all}
                checked={all || events.includes(name)}
                onChange={(e) => toggle(name, e.currentTarget.checked)}
              />
              {EVENT_LABELS[name]} <span class={`mono ${styles.note}`}>{name}</span>
            </label>
          ))}
        </div>
        {eventsError && (
          <p class={styles.fieldError} id="endpoint-events-error" role="alert">
            {eventsError}
          </p>
        )}
      </fieldset>
      <label class={styles.check}>
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
        Active (paused endpoints get no new deliveries)
      </label>
      <div class={styles.actions}>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={busy}>
          {endpoint ? 'Save endpoint' : 'Add endpoint'}
        </Button>
      </div>
    </form>
  );
}
