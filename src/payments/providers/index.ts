import { registerPaymentProvider } from '../provider-registry.js';
import { StripeProvider } from './stripe.provider.js';
import { RazorpayProvider } from './razorpay.provider.js';
import { CashOnDeliveryProvider } from './cash-on-delivery.provider.js';

// The payment providers Orderline ships, in the order GET /payments/methods lists them. A provider is a class in this
// folder and one line here.
registerPaymentProvider(StripeProvider);
registerPaymentProvider(RazorpayProvider);
registerPaymentProvider(CashOnDeliveryProvider);
