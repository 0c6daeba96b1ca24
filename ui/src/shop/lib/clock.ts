import { useEffect, useState } from 'preact/hooks';

/** Server time − local time, ms: countdowns follow the server's clock, not a phone's that may be minutes off. */
let offset: number | undefined;

/** Aligns the page's clock with a server timestamp (the page's render time, then each live snapshot's). */
export function alignClock(serverIso: string): void {
  const server = Date.parse(serverIso);
  if (Number.isFinite(server)) offset = server - Date.now();
}

export function serverNow(): number {
  return Date.now() + (offset ?? 0);
}

/**
 * The current time on the server's clock. The first render returns the server's render time, so the browser's first
 * render matches the HTML it hydrates; after that it ticks every second while `ticking`.
 */
export function useNow(serverTime: string, ticking: boolean): number {
  const [now, setNow] = useState(() => Date.parse(serverTime));
  useEffect(() => {
    if (offset === undefined) alignClock(serverTime);
    setNow(serverNow());
    if (!ticking) return;
    const timer = setInterval(() => setNow(serverNow()), 1000);
    // A tab in the background ticks rarely; coming back it catches up at once.
    const onVisible = () => document.visibilityState === 'visible' && setNow(serverNow());
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [ticking]);
  return now;
}

/** False on the server and in the first (hydrating) browser render, true after: for what only the browser knows. */
export function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}
