import { Injectable } from '@nestjs/common';
import type { Order } from '../generated/prisma/client.js';
import { ServiceUnavailableError } from '../common/errors/domain-errors.js';

/** What the client needs to complete payment (provider-neutral envelope; provider fields inside). */
export interface PaymentInstructions {
  method: 'STRIPE' | 'RAZORPAY' | 'COD';
  [key: string]: unknown;
}

/**
 * Seam between checkout and the payment providers. Checkout calls startPayment after its transaction commits.
 * (The provider adapters replace the body of this service.)
 */
@Injectable()
export class PaymentsService {
  async startPayment(order: Pick<Order, 'id' | 'number' | 'paymentMethod' | 'totalMinor' | 'currency'>): Promise<PaymentInstructions> {
    if (order.paymentMethod === 'COD') return { method: 'COD', amountMinor: order.totalMinor, currency: order.currency };
    throw new ServiceUnavailableError(`Payment provider ${order.paymentMethod} is not configured`);
  }
}
