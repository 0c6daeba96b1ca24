import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import type { OrderStatus, Payment, PaymentAttempt, Refund } from '../../generated/prisma/client.js';
import { trim } from '../../common/http/transforms.js';
import { ORDER_STATUSES } from '../../orders/order-state-machine.js';
import { ApiPaymentMethod, ApiPaymentMethodName } from '../../orders/dto/payment-method.dto.js';
import { PAYMENT_METHOD_SCHEMA, type PaymentMethod } from '../../orders/payment-gateway.js';

/** The envelope of payment instructions; each provider's own fields are added from its descriptor (payments-openapi.ts). */
export class PaymentInstructionsResponse {
  @ApiPaymentMethod() method!: string;
  @ApiProperty({ format: 'uuid', description: 'Our payment record' }) paymentId!: string;
  @ApiProperty({ example: 99800, description: 'Order total, minor units' }) amountMinor!: number;
  @ApiProperty({ example: 'INR' }) currency!: string;
}

export class PaymentProviderResponse {
  @ApiPaymentMethod() method!: string;
  @ApiPaymentMethodName({ description: 'What checkout takes as paymentMethod' }) name!: string;
  @ApiProperty({ example: 'Razorpay' }) label!: string;
  @ApiProperty({ type: [String], example: ['card', 'upi'], description: 'How customers pay through it' }) instruments!: string[];
  @ApiProperty({ type: [String], example: ['INR'], description: 'Currencies it charges; empty when any' }) currencies!: string[];
  @ApiProperty({ description: 'Paid when the goods arrive: the order is confirmed at checkout' }) collectsOnDelivery!: boolean;
}

export class PaymentMethodOption {
  @ApiPaymentMethod() method!: string;
  @ApiPropertyOptional({
    description: 'Stripe: publishable key; Razorpay: key id. Public by design; absent for cash on delivery',
    example: 'pk_live_...',
  })
  publicKey?: string;
}

export class PaymentMethodsResponse {
  @ApiProperty({
    type: 'array',
    items: { $ref: `#/components/schemas/${PAYMENT_METHOD_SCHEMA}` },
    description: 'Methods customers can choose right now',
  })
  methods!: string[];
  @ApiProperty({ type: [PaymentMethodOption], description: 'The same methods with the public key a browser loads each provider with' })
  options!: PaymentMethodOption[];
  @ApiProperty({ type: [PaymentProviderResponse], description: 'The same methods, described' }) providers!: PaymentProviderResponse[];
}

export class ClientConfirmationResponse {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ example: 'OL-000042' }) orderNumber!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) orderStatus!: string;
  @ApiProperty({ description: 'Whether a captured payment paid for the order' }) paid!: boolean;
}

export class PaymentRecordResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPaymentMethod() provider!: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Stripe PaymentIntent id, Razorpay order id, or cod_<orderId>' })
  providerRef!: string | null;
  @ApiProperty({ enum: ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] }) status!: string;
  @ApiProperty() amountMinor!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() createdAt!: Date;
}

export class PaymentAttemptResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPaymentMethod() provider!: string;
  @ApiProperty({ description: 'Stripe PaymentIntent id (a capture) or charge id (a failed try), Razorpay payment id, or cod_<orderId>' })
  providerPaymentId!: string;
  @ApiProperty({ enum: ['PENDING', 'CAPTURED', 'FAILED'] }) status!: string;
  @ApiProperty() amountMinor!: number;
  @ApiProperty() currency!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      "FAILED: the provider's decline code. CAPTURED: why the money did not pay for the order (AMOUNT_MISMATCH, " +
      'LATE_PAYMENT_REFUNDED, DUPLICATE_PAYMENT); null when it did',
  })
  errorCode!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) errorMessage!: string | null;
  @ApiPropertyOptional({ type: Date, nullable: true }) capturedAt!: Date | null;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Cash on delivery: what the carrier remitted for this cash; null while it is collected, not remitted',
  })
  remittedMinor!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: "The carrier's remittance reference (UTR)" }) remittanceRef!:
    string | null;
  @ApiPropertyOptional({ type: Date, nullable: true }) remittedAt!: Date | null;
  @ApiProperty() createdAt!: Date;
}

export class RefundResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiPaymentMethod() provider!: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Stripe re_..., Razorpay rfnd_...; null until the provider answered' })
  providerRefundId!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid' }) paymentAttemptId!: string | null;
  @ApiProperty({ enum: ['PENDING', 'SUCCEEDED', 'FAILED'], description: 'PENDING until the provider confirms' }) status!: string;
  @ApiProperty() amountMinor!: number;
  @ApiProperty() currency!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ description: 'Made by Orderline itself (late or duplicate payment), not by staff' }) automatic!: boolean;
  @ApiProperty() createdAt!: Date;
}

export class PaymentSummaryResponse {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ example: 'OL-000042' }) orderNumber!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) orderStatus!: string;
  @ApiPaymentMethod() paymentMethod!: string;
  @ApiProperty({ example: 'INR' }) currency!: string;
  @ApiProperty() totalMinor!: number;
  @ApiProperty({ description: 'Captured money in the order currency (sum of CAPTURED attempts)' }) paidMinor!: number;
  @ApiProperty({ description: 'Confirmed refunds in the order currency' }) refundedMinor!: number;
  @ApiProperty({ description: 'Refunds sent and not yet confirmed' }) pendingRefundMinor!: number;
  @ApiProperty({ description: 'paidMinor − refundedMinor − pendingRefundMinor' }) refundableMinor!: number;
  @ApiProperty({ description: 'Payment processing flagged the order for staff review (see GET /audit)' }) needsReview!: boolean;
  @ApiProperty({ type: [PaymentRecordResponse] }) payments!: PaymentRecordResponse[];
  @ApiProperty({ type: [PaymentAttemptResponse] }) attempts!: PaymentAttemptResponse[];
  @ApiProperty({ type: [RefundResponse] }) refunds!: RefundResponse[];
}

export class CreateRefundDto {
  @ApiPropertyOptional({ minimum: 1, description: 'Minor units; default everything still refundable', example: 25000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  amountMinor?: number;
  @ApiProperty({ example: 'Damaged in transit', maxLength: 500 }) @Transform(trim) @IsString() @Length(1, 500) reason!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Refund only this captured payment attempt (e.g. a mismatched capture)' })
  @IsOptional()
  @IsUUID('all')
  paymentAttemptId?: string;
}

export class RefundOutcomeResponse {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ enum: ORDER_STATUSES, description: 'PARTIALLY_REFUNDED / REFUNDED only once the provider confirmed' })
  orderStatus!: string;
  @ApiProperty({ type: [RefundResponse] }) refunds!: RefundResponse[];
}

export class WebhookReceiptResponse {
  @ApiProperty({ example: 'evt_1Nxyz' }) eventId!: string;
  @ApiProperty({ description: 'Already received earlier: acknowledged and ignored' }) duplicate!: boolean;
  @ApiProperty({ example: 'order paid' }) result!: string;
}

export function toPaymentRecord(p: Payment): PaymentRecordResponse {
  return {
    id: p.id,
    provider: p.provider,
    providerRef: p.providerRef,
    status: p.status,
    amountMinor: p.amountMinor,
    currency: p.currency,
    createdAt: p.createdAt,
  };
}

export function toAttempt(a: PaymentAttempt): PaymentAttemptResponse {
  return {
    id: a.id,
    provider: a.provider,
    providerPaymentId: a.providerPaymentId,
    status: a.status,
    amountMinor: a.amountMinor,
    currency: a.currency,
    errorCode: a.errorCode,
    errorMessage: a.errorMessage,
    capturedAt: a.capturedAt,
    remittedMinor: a.remittedMinor,
    remittanceRef: a.remittanceRef,
    remittedAt: a.remittedAt,
    createdAt: a.createdAt,
  };
}

export function toRefund(r: Refund): RefundResponse {
  return {
    id: r.id,
    provider: r.provider,
    providerRefundId: r.providerRefundId,
    paymentAttemptId: r.attemptId,
    status: r.status,
    amountMinor: r.amountMinor,
    currency: r.currency,
    reason: r.reason,
    automatic: r.automatic,
    createdAt: r.createdAt,
  };
}

/** An order's payments as the service reads them (toPaymentSummary turns it into the answer). */
export interface PaymentSummary {
  orderId: string;
  orderNumber: string;
  orderStatus: OrderStatus;
  paymentMethod: PaymentMethod;
  currency: string;
  totalMinor: number;
  /** Captured money in the order's currency (including captures that did not pay for the order). */
  paidMinor: number;
  refundedMinor: number;
  /** Refunds sent but not yet confirmed by the provider. */
  pendingRefundMinor: number;
  refundableMinor: number;
  needsReview: boolean;
  payments: Payment[];
  attempts: PaymentAttempt[];
  refunds: Refund[];
}

/** Client data (Stripe client secrets) is not part of the summary: only the payment instructions carry it. */
export function toPaymentSummary(s: PaymentSummary): PaymentSummaryResponse {
  return { ...s, payments: s.payments.map(toPaymentRecord), attempts: s.attempts.map(toAttempt), refunds: s.refunds.map(toRefund) };
}
