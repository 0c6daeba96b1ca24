import { Injectable } from '@nestjs/common';
import type { Order, Payment } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import type { WriteBatch } from '../prisma/write-batch.js';
import type { Actor } from '../common/actor.js';
import { InvalidInputError } from '../common/errors/domain-errors.js';
import {
  PaymentGateway,
  type CashRemittance,
  type CheckoutMethod,
  type OrderForPayment,
  type PaymentInstructions,
  type PaymentMethod,
} from '../orders/payment-gateway.js';
import { PaymentMethodUnavailableError } from './payment-provider.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentsService } from './payments.service.js';

/** Payments as orders see them: the implementation of orders' PaymentGateway port. */
@Injectable()
export class PaymentsGateway extends PaymentGateway {
  constructor(
    private readonly providers: PaymentProviders,
    private readonly payments: PaymentsService,
  ) {
    super();
  }

  /**
   * The provider a checkout names: 400 when no provider has that name or it does not take the cart's currency, 422
   * when it is not configured (PAYMENT_METHOD_UNAVAILABLE, with the methods that are).
   */
  async checkoutMethod(name: string, currency: string): Promise<CheckoutMethod> {
    const provider = this.providers.named(name);
    if (!provider) {
      const names = this.providers
        .all()
        .map((p) => p.descriptor.name)
        .join(', ');
      throw invalidMethod(`paymentMethod must be one of the following values: ${names}`);
    }
    if (!(await provider.isEnabled())) {
      throw new PaymentMethodUnavailableError(
        provider.code,
        (await this.providers.enabledProviders()).map((p) => p.code),
      );
    }
    const { currencies, collectsOnDelivery } = provider.descriptor;
    if (currencies !== 'any' && !currencies.includes(currency)) {
      throw invalidMethod(`${provider.descriptor.label} does not take ${currency} (it takes ${currencies.join(', ')})`);
    }
    return { code: provider.code, collectsOnDelivery: Boolean(collectsOnDelivery) };
  }

  open(batch: WriteBatch, order: OrderForPayment): Payment | undefined {
    return this.payments.openPayment(batch, order);
  }

  start(order: OrderForPayment, opened?: Payment): Promise<PaymentInstructions> {
    return this.payments.startPayment(order, opened);
  }

  collectsOnDelivery(method: PaymentMethod): boolean {
    return this.providers.collectingOnDelivery().includes(method);
  }

  delivered(tx: Tx, order: Pick<Order, 'id' | 'paymentMethod' | 'totalMinor' | 'currency'>, actor: Actor): Promise<void> {
    return this.payments.recordDelivery(tx, order, actor);
  }

  remitted(
    tx: Tx,
    order: Pick<Order, 'id' | 'paymentMethod'>,
    remittance: CashRemittance,
    actor: Actor,
  ): Promise<'recorded' | 'already_recorded' | 'not_collected'> {
    return this.payments.recordRemittance(tx, order, remittance, actor);
  }
}

const invalidMethod = (message: string) =>
  new InvalidInputError('Validation failed: paymentMethod', [{ field: 'paymentMethod', errors: [message] }]);
