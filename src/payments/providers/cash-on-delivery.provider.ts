import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../../common/errors/domain-errors.js';
import type { CreatedPayment, CreatePaymentInput, PaymentEvent, PaymentProvider, ProviderRefund, RefundInput, VerifiedWebhook } from '../payment-provider.js';

/** Our reference for the cash collection of an order (there is no provider object). */
export const cashReference = (orderId: string) => `cod_${orderId}`;

/**
 * Cash on delivery: nothing to create at a provider; the courier collects the total on delivery and the delivery flow
 * records it (PaymentsService.recordCashOnDelivery). A refund is cash handed back, recorded as done.
 */
@Injectable()
export class CashOnDeliveryProvider implements PaymentProvider {
  readonly method = 'COD' as const;

  async isEnabled(): Promise<boolean> {
    return true;
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    return { providerRef: cashReference(input.orderId), clientData: {} };
  }

  async clientInstructions(): Promise<Record<string, unknown>> {
    return {};
  }

  async parseWebhook(): Promise<VerifiedWebhook> {
    throw new InvalidInputError('Cash on delivery has no webhooks');
  }

  async fetchPayment(): Promise<PaymentEvent[]> {
    return [];
  }

  async refund(input: RefundInput): Promise<ProviderRefund> {
    return { providerRefundId: `cod_refund_${input.refundId}`, refundId: input.refundId, providerPaymentId: input.providerPaymentId, amountMinor: input.amountMinor, currency: input.currency, status: 'SUCCEEDED' };
  }

  async fetchRefund(input: { providerRefundId: string; providerPaymentId: string }): Promise<ProviderRefund> {
    throw new InvalidInputError(`Cash refund ${input.providerRefundId} has no provider state to fetch`);
  }

  async cancelPayment(): Promise<void> {}
}
