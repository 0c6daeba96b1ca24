/**
 * Money in the UI: amounts stay integer minor units plus an ISO 4217 currency, as the API sends them. Formatting goes
 * through Intl.NumberFormat; typed amounts are parsed as decimal text into minor units without floating point.
 */

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  let f = formatters.get(currency);
  if (!f) formatters.set(currency, (f = new Intl.NumberFormat(undefined, { style: 'currency', currency })));
  return f;
}

/** How many minor-unit digits the currency has (INR 2, JPY 0, KWD 3). */
export function fractionDigits(currency: string): number {
  return formatter(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** 129900 INR → "₹1,299.00" (in the browser's locale). */
export function formatMoney(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  // Exact for any integer the API sends (|minor| < 2^53): the division only places the decimal point.
  return formatter(currency).format(minor / 10 ** digits);
}

/** Minor units as a plain decimal for an input field: 25050 INR → "250.50". */
export function toDecimalText(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  const negative = minor < 0;
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits ? text.slice(0, -digits) : text;
  const fraction = digits ? `.${text.slice(-digits)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export type ParsedMoney = { ok: true; minor: number } | { ok: false; error: string };

/**
 * A typed amount ("250", "250.5", "1,299.00") in minor units. Refuses anything that is not a positive decimal with
 * at most the currency's digits, so the result is exact.
 */
export function parseMoney(input: string, currency: string): ParsedMoney {
  const digits = fractionDigits(currency);
  const text = input.trim().replace(/[,\s]/g, '');
  if (!text) return { ok: false, error: 'Enter an amount' };
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return { ok: false, error: 'Enter an amount such as 250 or 250.50' };
  const [, whole, fraction = ''] = match;
  if (fraction.length > digits) return { ok: false, error: digits ? `Use at most ${digits} decimals` : `${currency} has no decimals` };
  const minor = Number(whole + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return { ok: false, error: 'That amount is too large' };
  if (minor <= 0) return { ok: false, error: 'Enter an amount above zero' };
  return { ok: true, minor };
}
