import { Injectable } from '@nestjs/common';
import type { PaymentMethod } from '../generated/prisma/enums.js';
import { ProviderNotConfiguredError, type PaymentProvider } from './payment-provider.js';
import { StripeProvider } from './providers/stripe.provider.js';
import { RazorpayProvider } from './providers/razorpay.provider.js';
import { CashOnDeliveryProvider } from './providers/cash-on-delivery.provider.js';

/** The provider adapter of each payment method. */
@Injectable()
export class PaymentProviders {
  private readonly byMethod: Record<PaymentMethod, PaymentProvider>;

  constructor(stripe: StripeProvider, razorpay: RazorpayProvider, cod: CashOnDeliveryProvider) {
    this.byMethod = { STRIPE: stripe, RAZORPAY: razorpay, COD: cod };
  }

  /** The adapter, whether or not it is configured (reading the state of existing payments needs no new payment). */
  get(method: PaymentMethod): PaymentProvider {
    return this.byMethod[method];
  }

  /** The adapter of a method customers can pay with right now; 503 when its credentials are not configured. */
  async enabled(method: PaymentMethod): Promise<PaymentProvider> {
    const provider = this.byMethod[method];
    if (!(await provider.isEnabled())) throw new ProviderNotConfiguredError(method);
    return provider;
  }

  /** The enabled methods with the public key a browser needs for each (none for cash on delivery). */
  async enabledOptions(): Promise<{ method: PaymentMethod; publicKey?: string }[]> {
    const methods = await this.enabledMethods();
    return Promise.all(methods.map(async (method) => {
      const publicKey = await this.byMethod[method].publicKey?.();
      return { method, ...(publicKey && { publicKey }) };
    }));
  }

  async enabledMethods(): Promise<PaymentMethod[]> {
    const methods = Object.keys(this.byMethod) as PaymentMethod[];
    const enabled = await Promise.all(methods.map((m) => this.byMethod[m].isEnabled()));
    return methods.filter((_m, i) => enabled[i]);
  }
}
