import { useEffect, useState } from 'preact/hooks';
import type { Tone } from '../../components/Badge.js';

export type Phase = 'scheduled' | 'early_access' | 'open' | 'ended';

export const PHASE_LABEL: Record<string, string> = { scheduled: 'Scheduled', early_access: 'Early access', open: 'Open', ended: 'Ended' };
export const PHASE_TONE: Record<string, Tone> = { scheduled: 'info', early_access: 'warning', open: 'success', ended: 'neutral' };

/** A datetime-local value ("2026-12-04T20:00", the browser's time zone) as ISO 8601; blank is undefined. */
export function toIso(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

/**
 * The server's clock as this device sees it: `serverTime` (from the last answer) corrected by when it arrived, ticking
 * every second, so a countdown does not depend on the device's clock being right.
 */
export function useServerClock(serverTime: string | undefined): number {
  const [offset, setOffset] = useState(0);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (serverTime) setOffset(new Date(serverTime).getTime() - Date.now());
  }, [serverTime]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now + offset;
}

/** "in 2d 03:04:05" until `to`, on the server's clock. */
export function Countdown({ to, clock }: { to: string; clock: number }) {
  const left = Math.max(0, Math.round((new Date(to).getTime() - clock) / 1000));
  const days = Math.floor(left / 86_400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hms = `${pad(Math.floor((left % 86_400) / 3600))}:${pad(Math.floor((left % 3600) / 60))}:${pad(left % 60)}`;
  return (
    <span class="num" data-testid="countdown" aria-label={`opens in ${days ? `${days} days ` : ''}${hms}`}>
      in {days ? `${days}d ` : ''}
      {hms}
    </span>
  );
}
