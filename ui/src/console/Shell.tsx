import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Button } from '../components/Button.js';
import { Link, useLocation } from '../lib/router.js';
import { signOut, type User } from './session.js';
import { HOME, ROUTES } from './routes.js';
import styles from './Shell.module.css';

/** The frame of every signed-in screen: the brand, navigation and the account menu. */
export function Shell({ user, children }: { user: User; children: ComponentChildren }) {
  const { path } = useLocation();
  const [leaving, setLeaving] = useState(false);
  const current = (prefix: string) => (path.startsWith(prefix) ? 'page' : undefined);
  return (
    <div class={styles.shell}>
      <header class={styles.topbar}>
        <Link class={styles.brand} href={HOME}>
          Orderline
        </Link>
        <nav class={styles.nav} aria-label="Console">
          {ROUTES.flatMap(({ nav }) =>
            nav
              ? [
                  <Link key={nav.href} href={nav.href} aria-current={current(nav.href)}>
                    {nav.label}
                  </Link>,
                ]
              : [],
          )}
        </nav>
        <div class={styles.user}>
          <span class={styles.email} title={user.email}>
            {user.email}
          </span>
          <Button
            size="small"
            busy={leaving}
            onClick={() => {
              setLeaving(true);
              void signOut().finally(() => setLeaving(false));
            }}
          >
            Sign out
          </Button>
        </div>
      </header>
      <main class={styles.main}>{children}</main>
    </div>
  );
}
