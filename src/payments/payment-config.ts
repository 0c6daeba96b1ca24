/** Where the provider SDKs send requests. Only tests and local development point them elsewhere (the simulator). */
export const STRIPE_API_BASE_DEFAULT = 'https://api.stripe.com';
export const RAZORPAY_API_BASE_DEFAULT = 'https://api.razorpay.com';

interface PaymentEnv {
  NODE_ENV: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_PUBLISHABLE_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  RAZORPAY_KEY_ID?: string;
  RAZORPAY_KEY_SECRET?: string;
  STRIPE_API_BASE: string;
  RAZORPAY_API_BASE: string;
}

function checkBase(name: string, value: string, production: string, isProduction: boolean): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${name}: must be an http(s) URL`];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return [`${name}: must be an http(s) URL`];
  if (url.pathname !== '/' || url.search) return [`${name}: must be a scheme, host and port only (no path)`];
  if (isProduction && value.replace(/\/$/, '') !== production) return [`${name}: must be ${production} in production`];
  return [];
}

/** Configuration problems of the payment providers (half-configured keys, simulator addresses in production). */
export function checkPaymentConfig(env: PaymentEnv): string[] {
  const production = env.NODE_ENV === 'production';
  const problems = [
    ...checkBase('STRIPE_API_BASE', env.STRIPE_API_BASE, STRIPE_API_BASE_DEFAULT, production),
    ...checkBase('RAZORPAY_API_BASE', env.RAZORPAY_API_BASE, RAZORPAY_API_BASE_DEFAULT, production),
  ];
  if (env.STRIPE_SECRET_KEY && !env.STRIPE_PUBLISHABLE_KEY) problems.push('STRIPE_PUBLISHABLE_KEY: required when STRIPE_SECRET_KEY is set');
  if (Boolean(env.RAZORPAY_KEY_ID) !== Boolean(env.RAZORPAY_KEY_SECRET)) problems.push('RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET: set both or neither');
  return problems;
}
