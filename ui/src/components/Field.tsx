import type { ComponentChildren, InputHTMLAttributes, TextareaHTMLAttributes } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import styles from './Field.module.css';

type InputProps = Omit<InputHTMLAttributes, 'label'> & {
  label: string;
  hint?: ComponentChildren;
  error?: string;
  multiline?: false;
};
type TextAreaProps = Omit<TextareaHTMLAttributes, 'label'> & {
  label: string;
  hint?: ComponentChildren;
  error?: string;
  multiline: true;
};

/** A labelled input (or textarea) with its hint and error, wired for screen readers. */
export function Field(props: InputProps | TextAreaProps) {
  const { label, hint, error, multiline, id: givenId, autoFocus, ...rest } = props;
  const generated = useId();
  const control = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  // The autofocus attribute only works on page load; a field that appears later (a form opened in place) is focused here.
  useEffect(() => {
    if (autoFocus) control.current?.focus();
  }, []);
  const id = typeof givenId === 'string' ? givenId : generated;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const described = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const common = { id, ref: control, class: styles.input, 'aria-invalid': error ? true : undefined, 'aria-describedby': described };
  return (
    <div class={styles.field}>
      <label class={styles.label} for={id}>
        {label}
      </label>
      {multiline ? (
        <textarea {...(rest as TextareaHTMLAttributes)} {...common} />
      ) : (
        <input {...(rest as InputHTMLAttributes)} {...common} />
      )}
      {hint && (
        <div class={styles.hint} id={hintId}>
          {hint}
        </div>
      )}
      {error && (
        <div class={styles.error} id={errorId} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
