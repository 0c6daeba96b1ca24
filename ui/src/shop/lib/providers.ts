/**
 * The payment providers' own browser scripts, loaded only on the payment page (its content security policy allows
 * exactly these origins there) and only when the order is paid that way.
 */
const loading = new Map<string, Promise<void>>();

function loadScript(src: string): Promise<void> {
  let promise = loading.get(src);
  if (!promise) {
    promise = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.onload = () => resolve();
      script.onerror = () => {
        loading.delete(src);
        script.remove();
        reject(new Error(`Could not load ${src}`));
      };
      document.head.append(script);
    });
    loading.set(src, promise);
  }
  return promise;
}

export interface StripeError {
  type?: string;
  code?: string;
  decline_code?: string;
  message?: string;
}

export interface StripeJs {
  elements(options: { clientSecret: string; appearance?: unknown }): StripeElements;
  confirmPayment(options: {
    elements: StripeElements;
    confirmParams: { return_url: string };
    redirect: 'if_required';
  }): Promise<{ error?: StripeError; paymentIntent?: { status: string } }>;
}

export interface StripeElements {
  create(type: 'payment', options?: unknown): { mount(element: HTMLElement): void; destroy(): void };
}

export async function loadStripe(publishableKey: string): Promise<StripeJs> {
  await loadScript('https://js.stripe.com/v3/');
  const factory = (window as unknown as { Stripe?: (key: string) => StripeJs }).Stripe;
  if (!factory) throw new Error('Stripe.js did not load');
  return factory(publishableKey);
}

export interface RazorpayHandlerResult {
  razorpay_order_id: string;
  razorpay_payment_id: string;
  razorpay_signature: string;
}

export interface RazorpayOptions {
  key: string;
  order_id: string;
  amount: number;
  currency: string;
  name: string;
  description: string;
  image?: string;
  prefill?: { name?: string; email?: string; contact?: string };
  theme?: { color?: string };
  handler(result: RazorpayHandlerResult): void;
  modal?: { ondismiss?(): void };
}

export interface RazorpayCheckout {
  open(): void;
  on(event: 'payment.failed', handler: (response: { error?: { code?: string; description?: string; reason?: string } }) => void): void;
}

export async function loadRazorpay(): Promise<new (options: RazorpayOptions) => RazorpayCheckout> {
  await loadScript('https://checkout.razorpay.com/v1/checkout.js');
  const Razorpay = (window as unknown as { Razorpay?: new (options: RazorpayOptions) => RazorpayCheckout }).Razorpay;
  if (!Razorpay) throw new Error('Razorpay Checkout did not load');
  return Razorpay;
}
