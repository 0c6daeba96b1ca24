import { ApiError, unwrap } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Button } from '../components/Button.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Field } from '../components/Field.js';
import { api, type User } from './session.js';
import styles from './Account.module.css';

/** The signed-in staff member's own account: who they are, and changing their password. */
export function Account({ user }: { user: User }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);

  const tooShort = next.length > 0 && next.length < 8;
  const mismatch = repeat.length > 0 && repeat !== next;
  const fieldError = (field: string) =>
    error instanceof ApiError ? error.fieldErrors.find((f) => f.field === field)?.errors[0] : undefined;

  async function submit(event: Event) {
    event.preventDefault();
    if (tooShort || mismatch || !next) return;
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      await unwrap(api.POST('/auth/password', { body: { currentPassword: current, newPassword: next } }));
      setDone(true);
      setCurrent('');
      setNext('');
      setRepeat('');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class={styles.page}>
      <h1>Your account</h1>
      <p>
        Signed in as <strong>{user.name}</strong> ({user.email}).
      </p>
      <form class={styles.form} onSubmit={submit} aria-labelledby="password-title">
        <h2 id="password-title">Change password</h2>
        {done && (
          <p class={styles.done} role="status">
            Password changed. Your other sessions were signed out.
          </p>
        )}
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          error={fieldError('currentPassword')}
          onInput={(e) => setCurrent(e.currentTarget.value)}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={72}
          hint="8 to 72 characters."
          value={next}
          error={tooShort ? 'Use at least 8 characters' : fieldError('newPassword')}
          onInput={(e) => setNext(e.currentTarget.value)}
        />
        <Field
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          error={mismatch ? 'The passwords differ' : undefined}
          onInput={(e) => setRepeat(e.currentTarget.value)}
        />
        {error !== undefined && !fieldError('currentPassword') && !fieldError('newPassword') && <ErrorNotice error={error} />}
        <div class={styles.actions}>
          <Button type="submit" variant="primary" busy={busy} disabled={tooShort || mismatch}>
            Change password
          </Button>
        </div>
      </form>
    </div>
  );
}
