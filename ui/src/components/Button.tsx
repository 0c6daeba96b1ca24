import type { ButtonHTMLAttributes } from 'preact';
import styles from './Button.module.css';

type Props = ButtonHTMLAttributes & {
  variant?: 'default' | 'primary' | 'danger' | 'ghost';
  size?: 'default' | 'small';
  /** Shows the work in progress and blocks a second click. */
  busy?: boolean;
};

export function Button({
  variant = 'default',
  size = 'default',
  busy,
  disabled,
  type = 'button',
  class: extra,
  children,
  ...props
}: Props) {
  const classes = [
    styles.button,
    variant !== 'default' && styles[variant],
    size === 'small' && styles.small,
    typeof extra === 'string' && extra,
  ]
    .filter((name): name is string => typeof name === 'string' && name !== '')
    .join(' ');
  return (
    <button type={type} class={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...props}>
      {children}
    </button>
  );
}
