import styles from './Availability.module.css';

/** Below this many left, the exact number is shown ("Only 3 left"). */
export const FEW_LEFT = 10;

export function availabilityText(available: number): { text: string; tone: 'sold-out' | 'few' | 'in-stock' } {
  if (available <= 0) return { text: 'Sold out', tone: 'sold-out' };
  if (available <= FEW_LEFT) return { text: `Only ${available} left`, tone: 'few' };
  return { text: 'In stock', tone: 'in-stock' };
}

/** Stock as a customer reads it; announced politely to screen readers when it changes. */
export function Availability({ available, live = false }: { available: number; live?: boolean }) {
  const { text, tone } = availabilityText(available);
  return (
    <span
      class={`${styles.availability} ${styles[tone]}`}
      data-testid="availability"
      {...(live && { role: 'status', 'aria-live': 'polite' })}
    >
      {text}
    </span>
  );
}
