import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InvalidInputError } from '../common/errors/domain-errors.js';
import { CarrierNotConfiguredError, type CarrierProvider } from './carrier-provider.js';
import { registeredCarriers } from './carrier-registry.js';
import './carriers/index.js';

/** The registered carriers of this app, created by Nest's injector. */
@Injectable()
export class Carriers implements OnModuleInit {
  private readonly byName = new Map<string, CarrierProvider>();

  constructor(private readonly moduleRef: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    for (const carrier of registeredCarriers()) this.byName.set(carrier.descriptor.name, await this.moduleRef.create(carrier));
  }

  all(): CarrierProvider[] {
    return [...this.byName.values()];
  }

  /** The carrier of a stored shipment, configured or not. */
  get(name: string): CarrierProvider {
    const carrier = this.byName.get(name);
    if (!carrier) throw new Error(`No carrier is registered as ${name}`);
    return carrier;
  }

  /** The carrier a booking names: 400 when none has that name, 503 when it is not configured. */
  async bookable(name: string): Promise<CarrierProvider> {
    const carrier = this.byName.get(name);
    if (!carrier) {
      const names = [...this.byName.keys()].join(', ');
      throw new InvalidInputError('Validation failed: carrier', [{ field: 'carrier', errors: [`carrier must be one of: ${names}`] }]);
    }
    if (!(await carrier.isEnabled())) throw new CarrierNotConfiguredError(name);
    return carrier;
  }

  /** The carrier whose webhook path this is. */
  byWebhookPath(path: string): CarrierProvider | undefined {
    return this.all().find((c) => c.descriptor.webhook?.path === path);
  }
}
