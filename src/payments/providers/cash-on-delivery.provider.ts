import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../../common/errors/domain-errors.js';
import { PaymentCredentialsSource } from '../payment-credentials.js';
import {
  collectionReference, PaymentProvider, type OpenedPayment, type OpenPaymentInput, type PaymentEvent, type PaymentProviderDescriptor, type ProviderRefund, type RefundInput,
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

  constructor(credentials: PaymentCredentialsSource) {
    super(credentials);
  }

  async open(input: OpenPaymentInput): Promise<OpenedPayment> {
    return { providerRef: collectionReference(CashOnDeliveryProvider.descriptor, input.orderId), clientData: {} };
  }

  async instructions(): Promise<Record<string, unknown>> {
    return {};
  }

  async reconcile(): Promise<PaymentEvent[]> {
    return [];
  }

  async refund(input: RefundInput): Promise<ProviderRefund> {
    return {
      providerRefundId: `cod_refund_${input.refundId}`, refundId: input.refundId, providerPaymentId: input.providerPaymentId, amountMinor: input.amountMinor,
      currency: input.currency, status: 'SUCCEEDED',
    };
  }

  async fetchRefund(input: { providerRefundId: string; providerPaymentId: string }): Promise<ProviderRefund> {
    throw new InvalidInputError(`Cash refund ${input.providerRefundId} has no provider state to fetch`);
  }

  async cancel(): Promise<void> {}
}
