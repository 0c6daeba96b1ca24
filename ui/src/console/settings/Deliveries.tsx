import { unwrap, type Schemas } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { formatDateTime } from '../../lib/time.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import styles from '../Page.module.css';

type Message = Schemas['OutboxMessageResponse'];

const STATE: Record<Message['status'], { label: string; tone: 'success' | 'warning' | 'danger' }> = {
  DELIVERED: { label: 'Delivered', tone: 'success' },
  PENDING: { label: 'Pending', tone: 'warning' },
  FAILED: { label: 'Failed', tone: 'danger' },
};

/** The outbox's dead letters: notifications and webhooks that gave up, each with a retry. */
export function Deliveries() {
  return (
    <section class={styles.card} aria-labelledby="deliveries-title" id="deliveries">
      <h2 id="deliveries-title">Failed deliveries</h2>
      <p class={styles.note}>Notifications and webhooks that ran out of attempts. Retry sends one again with a fresh set of attempts.</p>
      <MessageList status="FAILED" label="Failed deliveries" retry />
    </section>
  );
}

/** Outbox messages of one destination or state, newest first; failed ones can be retried. */
export function MessageList({
  destination,
  status,
  label,
  retry,
}: {
  destination?: string;
  status?: 'FAILED';
  label: string;
  retry?: boolean;
}) {
  const messages = useAsync(
    () => unwrap(api.GET('/admin/outbox', { params: { query: { destination, status, limit: 20 } } })),
    [destination, status],
  );
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  async function retryMessage(message: Message) {
    setBusy(message.id);
    setError(undefined);
    try {
      await unwrap(api.POST('/admin/outbox/{id}/retry', { params: { path: { id: message.id } } }));
      setNotice(`${message.event} to ${message.destination} queued again`);
      messages.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  }
  const items = messages.data?.items ?? [];
  return (
    <div aria-busy={messages.loading}>
      {notice && (
        <p class={styles.done} role="status">
          {notice}
        </p>
      )}
      {(messages.error ?? error) !== undefined && <ErrorNotice error={messages.error ?? error} onRetry={messages.reload} />}
      {messages.data && !items.length ? (
        <EmptyState title={status ? 'Nothing has failed' : 'Nothing sent yet'}>
          <p>{status ? 'Every notification and webhook got through.' : 'Deliveries appear here as orders change.'}</p>
        </EmptyState>
      ) : (
        <table class={styles.table} aria-label={label}>
          <thead>
            <tr>
              <th>Event</th>
              <th>To</th>
              <th>State</th>
              <th class={styles.num}>Attempts</th>
              <th>When</th>
              <th>Last error</th>
              {retry && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {items.map((message) => (
              <tr key={message.id}>
                <td data-label="Event">{message.event}</td>
                <td data-label="To" class="mono">
                  {message.destination}
                </td>
                <td data-label="State">
                  <Badge tone={STATE[message.status].tone}>{STATE[message.status].label}</Badge>
                </td>
                <td data-label="Attempts" class={`${styles.num} num`}>
                  {message.attempts}
                </td>
                <td data-label="When">{formatDateTime(message.deliveredAt ?? message.createdAt)}</td>
                <td data-label="Last error">{message.lastError ?? ''}</td>
                {retry && (
                  <td>
                    {message.status === 'FAILED' && (
                      <Button size="small" busy={busy === message.id} onClick={() => void retryMessage(message)}>
                        Retry
                      </Button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
