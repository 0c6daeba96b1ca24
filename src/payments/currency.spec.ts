import { fromProviderAmount, isoExponent, toProviderAmount } from './currency.js';
import { STRIPE_AMOUNT_RULES } from './providers/stripe.provider.js';
import { RAZORPAY_AMOUNT_RULES } from './providers/razorpay.provider.js';
import { InvalidInputError } from '../common/errors/domain-errors.js';

describe('currency exponents and provider amounts', () => {
  it('knows ISO minor units', () => {
    expect([
      isoExponent('INR'),
      isoExponent('usd'),
      isoExponent('JPY'),
      isoExponent('KRW'),
      isoExponent('KWD'),
      isoExponent('CLF'),
    ]).toEqual([2, 2, 0, 0, 3, 4]);
  });

  it('passes two- and zero-decimal amounts through unchanged (both already in the smallest unit)', () => {
    for (const rules of [STRIPE_AMOUNT_RULES, RAZORPAY_AMOUNT_RULES]) {
      expect(toProviderAmount(rules, 49900, 'INR')).toBe(49900);
      expect(toProviderAmount(rules, 1500, 'JPY')).toBe(1500);
      expect(fromProviderAmount(rules, 1500, 'JPY')).toBe(1500);
    }
  });

  it("applies Stripe's special cases: ISK as two-decimal, MGA as zero-decimal", () => {
    expect(toProviderAmount(STRIPE_AMOUNT_RULES, 5, 'ISK')).toBe(500);
    expect(fromProviderAmount(STRIPE_AMOUNT_RULES, 500, 'ISK')).toBe(5);
    expect(toProviderAmount(STRIPE_AMOUNT_RULES, 12300, 'MGA')).toBe(123);
    expect(fromProviderAmount(STRIPE_AMOUNT_RULES, 123, 'MGA')).toBe(12300);
    expect(() => toProviderAmount(STRIPE_AMOUNT_RULES, 12345, 'MGA')).toThrow(InvalidInputError);
  });

  it('requires three-decimal amounts to end in 0', () => {
    expect(toProviderAmount(STRIPE_AMOUNT_RULES, 295990, 'KWD')).toBe(295990);
    expect(() => toProviderAmount(STRIPE_AMOUNT_RULES, 295991, 'KWD')).toThrow(InvalidInputError);
    expect(() => toProviderAmount(RAZORPAY_AMOUNT_RULES, 1001, 'OMR')).toThrow(InvalidInputError);
  });

  it('refuses amounts that are not non-negative integers', () => {
    expect(() => toProviderAmount(STRIPE_AMOUNT_RULES, 10.5, 'USD')).toThrow(InvalidInputError);
    expect(() => toProviderAmount(STRIPE_AMOUNT_RULES, -1, 'USD')).toThrow(InvalidInputError);
  });
});
