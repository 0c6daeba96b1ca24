import { ApiError } from '@orderline/client';
import { Button } from './Button.js';
import styles from './ErrorNotice.module.css';

/** What went wrong, in the API's words, with the request id staff can quote to support (or find in the logs). */
export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const api = error instanceof ApiError ? error : undefined;
  const message =
    api?.message ??
    (error instanceof TypeError ? 'Could not reach Orderline. Check the connection and try again.' : 'Something went wrong.');
  return (
    <div class={styles.notice} role="alert">
      <div class={styles.message}>{message}</div>
      {api && api.fieldErrors.length > 0 && (
        <ul class={styles.fields}>
          {api.fieldErrors.map((f) => (
            <li key={f.field}>{f.errors.join('; ')}</li>
          ))}
        </ul>
      )}
      <div class={styles.meta}>
        {api?.requestId && (
          <span>
            Request id{' '}
            <span class="mono" data-testid="request-id">
              {api.requestId}
            </span>
          </span>
        )}
        {onRetry && (
          <Button size="small" onClick={onRetry}>
            Try again
          </Button>
        )}
      </div>
    </div>
  );
}
