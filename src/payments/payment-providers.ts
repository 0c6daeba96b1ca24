import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { PaymentMethod } from '../orders/payment-gateway.js';
import { ProviderNotConfiguredError, providerCode, type PaymentProvider } from './payment-provider.js';
import { registeredProviders } from './provider-registry.js';
import './providers/index.js';

/** The registered payment providers of this app, created by Nest's injector (so each may inject what it needs). */
@Injectable()
export class PaymentProviders implements OnModuleInit {
  private readonly byCode = new Map<PaymentMethod, PaymentProvider>();

  constructor(private readonly moduleRef: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    for (const provider of registeredProviders()) this.byCode.set(providerCode(provider.descriptor), await this.moduleRef.create(provider));
  }

  all(): PaymentProvider[] {
    return [...this.byCode.values()];
  }

  /** The provider of a code as stored (STRIPE), whether or not it is configured (reading existing payments needs no new one). */
  get(code: PaymentMethod): PaymentProvider {
    const provider = this.byCode.get(code);
    if (!provider) throw new Error(`No payment provider is registered for ${code}`);
    return provider;
  }

  /** The provider of a name as clients write it (stripe, Stripe), or undefined. */
  named(name: string): PaymentProvider | undefined {
    return this.byCode.get(name.toUpperCase());
  }

  /** The provider of a method customers can pay with right now; 503 when its credentials are not configured. */
  async enabled(code: PaymentMethod): Promise<PaymentProvider> {
    const provider = this.get(code);
    if (!(await provider.isEnabled())) throw new ProviderNotConfiguredError(code);
    return provider;
  }

  /** The providers customers can pay with right now, in registration order. */
  async enabledProviders(): Promise<PaymentProvider[]> {
    const providers = this.all();
    const enabled = await Promise.all(providers.map((p) => p.isEnabled()));
    return providers.filter((_p, i) => enabled[i]);
  }

  /** Codes of the providers paid on delivery: they have no provider object to reconcile or cancel. */
  collectingOnDelivery(): PaymentMethod[] {
    return this.all()
      .filter((p) => p.descriptor.collectsOnDelivery)
      .map((p) => p.code);
  }
}
