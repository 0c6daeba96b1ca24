import { useState } from 'preact/hooks';

export interface Submission {
  busy: boolean;
  /** What the last attempt failed with (an ApiError carries the API's message, field errors and request id). */
  error: unknown;
  /** What the last attempt that succeeded said it did. */
  notice?: string;
  /** Runs `work` once at a time: clears the last outcome, then keeps the notice it resolves with, or its error. */
  run: (work: () => Promise<string | undefined>) => Promise<void>;
  clearError: () => void;
}

/** The state of a form or action that calls the API: busy while it runs, then what it did or why it failed. */
export function useSubmit(): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  async function run(work: () => Promise<string | undefined>) {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      setNotice(await work());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, notice, run, clearError: () => setError(undefined) };
}
