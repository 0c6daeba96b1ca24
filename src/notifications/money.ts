const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * Formats integer minor units for people ("₹1,234.50", "¥1,200", "KWD 1.500") without going through a float:
 * the decimal string is built from the integer using the currency's ISO exponent, then handed to Intl.
 */
export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  const formatter = formatterFor(currency, locale);
  const exponent = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, '0');
  const decimal = exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits;
  return formatter.format(`${minor < 0 ? '-' : ''}${decimal}` as Intl.StringNumericLiteral);
}
