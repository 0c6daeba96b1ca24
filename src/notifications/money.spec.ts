import { describe, expect, it } from '@jest/globals';
import { formatMoney as format } from './money.js';

/** Intl separates some symbols with a no-break space; compare with plain spaces. */
const formatMoney = (minor: number, currency: string, locale?: string) => format(minor, currency, locale).replace(/\u00a0/g, ' ');

describe('formatMoney', () => {
  it('uses the currency exponent of minor units', () => {
    expect(formatMoney(129950, 'INR')).toBe('₹1,299.50');
    expect(formatMoney(5, 'USD')).toBe('$0.05');
    expect(formatMoney(1200, 'JPY')).toBe('¥1,200');
    expect(formatMoney(1500, 'KWD')).toBe('KWD 1.500');
    expect(formatMoney(-250, 'EUR')).toBe('-€2.50');
  });

  it('is exact for amounts a float would round', () => {
    expect(formatMoney(2_147_483_647, 'INR')).toBe('₹21,474,836.47');
    expect(formatMoney(1_000_000_000_000_001, 'USD')).toBe('$10,000,000,000,000.01');
  });

  it('follows the locale', () => {
    expect(formatMoney(12345678, 'INR', 'en-IN')).toBe('₹1,23,456.78');
    expect(formatMoney(123456, 'EUR', 'de-DE')).toBe('1.234,56 €');
  });
});
