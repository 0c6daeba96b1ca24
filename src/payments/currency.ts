import { InvalidInputError } from '../common/errors/domain-errors.js';

/** ISO 4217 minor-unit exponents that differ from 2. Orderline stores every amount in these minor units. */
const ISO_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

export function isoExponent(currency: string): number {
  return ISO_EXPONENTS[currency.toUpperCase()] ?? 2;
}

/**
 * How a provider writes amounts (each provider declares its own): its exponent where it differs from ISO, and
 * currencies whose amounts must be a multiple of some step.
 */
export interface ProviderAmountRules {
  exponents: Readonly<Record<string, number>>;
  steps: Readonly<Record<string, number>>;
}

/** Three-decimal currencies are charged in whole hundredths by the providers we know: the last digit must be 0. */
export const THREE_DECIMAL_STEPS = { BHD: 10, JOD: 10, KWD: 10, OMR: 10, TND: 10 } as const;

function providerExponent(rules: ProviderAmountRules, currency: string): number {
  return rules.exponents[currency] ?? isoExponent(currency);
}

/** Our minor units → the provider's integer amount. Refuses amounts the provider cannot represent exactly. */
export function toProviderAmount(rules: ProviderAmountRules, amountMinor: number, currency: string): number {
  const code = currency.toUpperCase();
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0)
    throw new InvalidInputError(`Amount ${amountMinor} is not a non-negative integer of minor units`);
  const shift = providerExponent(rules, code) - isoExponent(code);
  let amount = amountMinor;
  if (shift > 0) amount = amountMinor * 10 ** shift;
  if (shift < 0) {
    const divisor = 10 ** -shift;
    if (amountMinor % divisor !== 0)
      throw new InvalidInputError(`${code} amounts must be whole multiples of ${divisor} minor units for this provider`);
    amount = amountMinor / divisor;
  }
  const step = rules.steps[code];
  if (step && amount % step !== 0)
    throw new InvalidInputError(`${code} amounts must be multiples of ${step} minor units for this provider`);
  return amount;
}

/** The provider's integer amount → our minor units (exact: providers only report amounts they accepted). */
export function fromProviderAmount(rules: ProviderAmountRules, providerAmount: number, currency: string): number {
  const code = currency.toUpperCase();
  const shift = isoExponent(code) - providerExponent(rules, code);
  if (shift >= 0) return providerAmount * 10 ** shift;
  return Math.round(providerAmount / 10 ** -shift);
}
