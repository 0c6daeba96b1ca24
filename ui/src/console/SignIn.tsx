import { useState } from 'preact/hooks';
import { Button } from '../components/Button.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Field } from '../components/Field.js';
import { signIn } from './session.js';
import styles from './SignIn.module.css';

/** Where to go after signing in: ?next= if it is a console path (a crafted one cannot send staff to another site). */
export function afterSignIn(raw: string | null): string {
  return raw && /^\/console\/(?!sign-in)/.test(raw) ? raw : '/console/orders';
}

export function SignIn({ reason }: { reason?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // Signed in: the console takes over from here (and follows ?next=).
      await signIn(email.trim(), password);
    } catch (failure) {
      setError(failure);
      setPassword('');
      setBusy(false);
    }
  }

  return (
    <main class={styles.page}>
      <form class={styles.card} onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 class={styles.title} id="sign-in-title">
          Sign in to Orderline
        </h1>
        {reason && !error && (
          <p class={styles.reason} role="status">
            {reason}
          </p>
        )}
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {error !== undefined && <ErrorNotice error={error} />}
        <Button type="submit" variant="primary" busy={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}
