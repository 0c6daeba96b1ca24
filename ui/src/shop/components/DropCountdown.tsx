import { formatCountdown, formatWhen } from '../lib/format.js';
import { useMounted } from '../lib/clock.js';
import styles from './DropCountdown.module.css';

/**
 * "Drop opens in 04:59" while a drop is upcoming. The opening time in the reader's own time zone is added in the
 * browser (the server does not know the zone). The countdown text is not a live region (it would announce every
 * second); the page announces the opening itself.
 */
export function DropCountdown({
  opensAt,
  now,
  locale,
  compact = false,
}: {
  opensAt: number;
  now: number;
  locale: string;
  compact?: boolean;
}) {
  const mounted = useMounted();
  return (
    <p class={compact ? styles.compact : styles.countdown} data-testid="drop-countdown">
      <span>{compact ? 'Drop in ' : 'Drop opens in '}</span>
      <strong class="num">{formatCountdown(opensAt - now)}</strong>
      {!compact && mounted && <span class={styles.when}> · {formatWhen(opensAt, locale)}</span>}
    </p>
  );
}
