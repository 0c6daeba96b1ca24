import type { ComponentChildren } from 'preact';
import styles from './EmptyState.module.css';

/** An empty list: what it means, and what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class={styles.empty} role="status">
      <p class={styles.title}>{title}</p>
      {children}
    </div>
  );
}
