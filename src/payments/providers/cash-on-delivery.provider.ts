import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../../common/errors/domain-errors.js';
import {
  collectionReference,
  PaymentProvider,
  type OpenedPayment,
  type OpenPaymentInput,
  type PaymentEvent,
  type PaymentProviderDescriptor,
  type ProviderRefund,
  type RefundInput,
} from '../payment-provider.js';

/**
 * Cash on delivery: nothing to open at a provider; the stock is sold at checkout, the courier collects the total on
 * delivery and the delivery flow records it (PaymentsService.recordDelivery). A refund is cash handed back, recorded as done.
 */
@Injectable()
export class CashOnDeliveryProvider extends PaymentProvider {
  static readonly descriptor: PaymentProviderDescriptor = {
    name: 'cod',
    label: 'Cash on delivery',
    instruments: ['cash'],
    currencies: 'any',
    collectsOnDelivery: true,
    credentials: {},
  };

  open(input: OpenPaymentInput): Promise<OpenedPayment> {
    return Promise.resolve({ providerRef: collectionReference(CashOnDeliveryProvider.descriptor, input.orderId), clientData: {} });
  }

  instructions(): Promise<Record<string, unknown>> {
    return Promise.resolve({});
  }

  reconcile(): Promise<PaymentEvent[]> {
    return Promise.resolve([]);
  }

  refund(input: RefundInput): Promise<ProviderRefund> {
    return Promise.resolve({
      providerRefundId: `cod_refund_${input.refundId}`,
      refundId: input.refundId,
      providerPaymentId: input.providerPaymentId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      status: 'SUCCEEDED',
    });
  }

  fetchRefund(input: { providerRefundId: string; providerPaymentId: string }): Promise<ProviderRefund> {
    return Promise.reject(new InvalidInputError(`Cash refund ${input.providerRefundId} has no provider state to fetch`));
  }

  cancel(): Promise<void> {
    return Promise.resolve();
  }
}
