import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { Button } from './Button.js';
import { ErrorNotice } from './ErrorNotice.js';
import styles from './Dialog.module.css';

interface Props {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/**
 * A confirmation asked once: a modal <dialog> (focus stays inside, Esc closes) that says exactly what will happen.
 * The confirm button carries the consequence ("Refund ₹250.00"), the other one backs out.
 */
export function ConfirmDialog({ title, children, confirmLabel, tone = 'primary', busy, error, onConfirm, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={styles.dialog}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form
        method="dialog"
        class={styles.body}
        onSubmit={(event) => {
          event.preventDefault();
          onConfirm();
        }}
      >
        <h2 class={styles.title} id={titleId}>
          {title}
        </h2>
        <div>{children}</div>
        {error !== undefined && <ErrorNotice error={error} />}
        <div class={styles.actions}>
          {/* A destructive confirmation starts on the safe choice: Enter alone never sends money back. */}
          <Button onClick={onClose} disabled={busy} autoFocus={tone === 'danger'}>
            Go back
          </Button>
          <Button type="submit" variant={tone} busy={busy} autoFocus={tone !== 'danger'}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
