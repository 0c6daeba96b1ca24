import type { Order, Payment } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import type { WriteBatch } from '../prisma/write-batch.js';
import type { Actor } from '../common/actor.js';

/** A payment provider's code as orders store it (STRIPE, RAZORPAY, COD...); payments/ registers the providers. */
export type PaymentMethod = string;

/** The order fields that paying for it needs. */
export type OrderForPayment = Pick<Order, 'id' | 'number' | 'paymentMethod' | 'totalMinor' | 'currency'>;

/** What the client needs to complete payment: a provider-neutral envelope, the provider's own fields inside. */
export interface PaymentInstructions {
  method: PaymentMethod;
  paymentId: string;
  amountMinor: number;
  currency: string;
  [key: string]: unknown;
}

export interface CheckoutMethod {
  code: PaymentMethod;
  /** Paid when the goods arrive (cash): checkout sells the stock at once instead of reserving it for payment. */
  collectsOnDelivery: boolean;
}

/** The OpenAPI schemas payments/ fills from its provider registry: codes as stored, and names as checkout takes them. */
export const PAYMENT_METHOD_SCHEMA = 'PaymentMethod';
export const PAYMENT_METHOD_NAME_SCHEMA = 'PaymentMethodName';

/**
 * How orders reach payments without depending on them: payments/ implements this port and orders never import it.
 * Checkout names its method, opens the payment inside its transaction and starts it after the commit; delivery
 * records money collected on delivery.
 */
export abstract class PaymentGateway {
  /** The method a checkout names (`paymentMethod`), for a cart in `currency`; InvalidInputError naming paymentMethod otherwise. */
  abstract checkoutMethod(name: string, currency: string): Promise<CheckoutMethod>;

  /** Inside the checkout transaction, in its one write with the order: the payment row (paid on delivery), if any. */
  abstract open(batch: WriteBatch, order: OrderForPayment): Payment | undefined;

  /** After the checkout commit (or when the client asks again): the provider payment and what the client needs to pay. */
  abstract start(order: OrderForPayment, opened?: Payment): Promise<PaymentInstructions>;

  /** Whether a stored payment method is paid on delivery (the courier collects the total: cash on delivery). */
  abstract collectsOnDelivery(method: PaymentMethod): boolean;

  /** Inside the delivery transaction, order locked: records money collected on delivery, once however often it is called. */
  abstract delivered(tx: Tx, order: Pick<Order, 'id' | 'paymentMethod' | 'totalMinor' | 'currency'>, actor: Actor): Promise<void>;

  /**
   * Inside the caller's transaction, order locked: the carrier paid the brand the cash it collected for the order
   * (COD remittance). Until then the cash is "collected, not remitted". The same remittance again changes nothing;
   * `not_collected` when no cash was recorded for the order (not delivered, or not paid on delivery).
   */
  abstract remitted(
    tx: Tx,
    order: Pick<Order, 'id' | 'paymentMethod'>,
    remittance: CashRemittance,
    actor: Actor,
  ): Promise<'recorded' | 'already_recorded' | 'not_collected'>;
}

export interface CashRemittance {
  amountMinor: number;
  currency: string;
  /** The carrier's remittance reference (UTR, CRF id). */
  reference: string;
  remittedAt: Date;
}
