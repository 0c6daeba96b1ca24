import { useEffect, useState } from 'preact/hooks';
import { Link, navigate, Redirect, useLocation } from '../lib/router.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { resumeSession, useSession } from './session.js';
import { Shell } from './Shell.js';
import { afterSignIn, SignIn } from './SignIn.js';
import { HOME, matchRoute } from './routes.js';
import { EmptyState } from '../components/EmptyState.js';
import styles from './App.module.css';

export const SIGN_IN = '/console/sign-in';

/** Routes of the console (all under /console, served by the one console.html). */
export function App() {
  const session = useSession();
  const loc = useLocation();
  const [startError, setStartError] = useState<unknown>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setStartError(undefined);
    resumeSession().catch(setStartError);
  }, [attempt]);

  // Signed out (or the session ended): to the sign-in page, remembering where the user was going.
  useEffect(() => {
    if (session.status === 'signed-out' && loc.path !== SIGN_IN) {
      navigate(`${SIGN_IN}?next=${encodeURIComponent(loc.href)}`, { replace: true });
    }
  }, [session.status, loc.path]);

  if (startError) {
    return (
      <main class={styles.center}>
        <ErrorNotice error={startError} onRetry={() => setAttempt((a) => a + 1)} />
      </main>
    );
  }
  if (session.status === 'starting') {
    return (
      <main class={styles.center} aria-busy="true">
        <p class="muted">Loading the console…</p>
      </main>
    );
  }
  if (session.status === 'signed-out') return <SignIn reason={session.reason} />;
  if (loc.path === SIGN_IN) return <Redirect to={afterSignIn(loc.query.get('next'))} />;

  const path = loc.path.replace(/\/+$/, '');
  if (path === '/console' || path === '') return <Redirect to={HOME} />;
  const found = matchRoute(path);
  return (
    <Shell user={session.user}>
      {found ? (
        found.route.render(found.match, session.user)
      ) : (
        <EmptyState title="There is no page here">
          <Link href={HOME}>Go to orders</Link>
        </EmptyState>
      )}
    </Shell>
  );
}
