import { fractionDigits } from '../../lib/money.js';

/**
 * Formatting for the storefront, always in the page's locale (chosen by the server from Accept-Language), so the HTML
 * the server renders and the page the browser hydrates say the same thing.
 */
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Minor units in the currency's own precision: 189900 INR → "₹1,899.00", 1500 JPY → "¥1,500". */
export function formatPrice(minor: number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) moneyFormats.set(key, (format = new Intl.NumberFormat(locale, { style: 'currency', currency })));
  return format.format(minor / 10 ** fractionDigits(currency));
}

/** "3d 04:05:06", "04:05:06", "05:06" — whole seconds left, never negative. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86_400);
  const [h, m, s] = [Math.floor((total % 86_400) / 3600), Math.floor((total % 3600) / 60), total % 60].map((n) =>
    String(n).padStart(2, '0'),
  );
  if (days) return `${days}d ${h}:${m}:${s}`;
  return total >= 3600 ? `${h}:${m}:${s}` : `${m}:${s}`;
}

/** "Fri, 12 Dec, 8:00 pm" in the browser's time zone (only rendered in the browser: the server does not know it). */
export function formatWhen(epochMs: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(
    epochMs,
  );
}
