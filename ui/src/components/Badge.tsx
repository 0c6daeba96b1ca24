import type { ComponentChildren } from 'preact';
import styles from './Badge.module.css';

export type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'info';

export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: ComponentChildren }) {
  return <span class={`${styles.badge} ${styles[tone]}`}>{children}</span>;
}
