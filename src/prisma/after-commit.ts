const callbacksByTx = new WeakMap<object, (() => void)[]>();

/**
 * Opens the after-commit list of one transaction attempt. PrismaService.serializable calls it with each attempt's
 * client and runs the list only once that attempt committed, so a retried or rolled-back attempt leaves no trace.
 */
export function collectAfterCommit(tx: object): (() => void)[] {
  const callbacks: (() => void)[] = [];
  callbacksByTx.set(tx, callbacks);
  return callbacks;
}

/**
 * Runs `callback` once `tx` has committed (for effects that must not repeat with a retried attempt, such as
 * counting a metric). Outside a transaction opened by PrismaService.serializable it runs at once.
 */
export function afterCommit(tx: object, callback: () => void): void {
  const callbacks = callbacksByTx.get(tx);
  if (callbacks) callbacks.push(callback);
  else callback();
}
