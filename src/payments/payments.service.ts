import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Prisma, type Order, type Payment } from '../generated/prisma/client.js';
import type { OrderStatus } from '../generated/prisma/enums.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { WriteBatch } from '../prisma/write-batch.js';
import { AuditService } from '../audit/audit.service.js';
import { providerActor, SYSTEM_ACTOR, type Actor } from '../common/actor.js';
import { ConflictError, InvalidInputError, NotFoundError, ServiceUnavailableError } from '../common/errors/domain-errors.js';
import { OrderTransitionsService } from '../orders/order-transitions.service.js';
import { canViewOrder, type OrderViewer } from '../orders/order-access.js';
import type { CashRemittance, OrderForPayment, PaymentInstructions, PaymentMethod } from '../orders/payment-gateway.js';
import { createValidationPipe } from '../common/http/validation.js';
import { SettingsService } from '../settings/settings.service.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentTransactions } from './payment-transactions.js';
import { PaymentLedger } from './payment-ledger.service.js';
import { RefundsService } from './refunds.service.js';
import { collectionReference, ProviderRejectedError, type PaymentEvent, type PaymentProvider } from './payment-provider.js';
import { activeBrandId } from '../common/context/brand-context.js';
import type { PaymentMethodOption, PaymentMethodsResponse, PaymentSummary } from './dto/payments.dto.js';

export interface ClientConfirmationResult {
  orderId: string;
  orderNumber: string;
  orderStatus: OrderStatus;
  /** Whether a capture paid for the order (false while the provider has not captured yet). */
  paid: boolean;
}

/** An order's money as order_payment_totals computes it (the money rules live in that view). */
interface OrderMoney {
  paidMinor: number;
  refundedMinor: number;
  pendingRefundMinor: number;
  refundableMinor: number;
}

/** A payment row created without a provider object yet is being created by someone for at most this long. */
const CREATION_LEASE_MS = 30_000;
const CREATION_POLL_MS = 100;

/**
 * Payments of orders: creating the provider payment (checkout and retries), client confirmations, cash on delivery
 * and what an order's payment looks like. Webhooks and refunds have their own services; all money effects go
 * through PaymentLedger.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: PaymentTransactions,
    private readonly providers: PaymentProviders,
    private readonly ledger: PaymentLedger,
    private readonly refunds: RefundsService,
    private readonly transitions: OrderTransitionsService,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
  ) {}

  /** The payment methods customers can choose right now (providers with credentials, and cash on delivery). */
  async enabledMethods(): Promise<PaymentMethodsResponse> {
    const providers = await this.providers.enabledProviders();
    const publicKeys = await Promise.all(providers.map((p) => p.publicKey?.() ?? Promise.resolve(undefined)));
    return {
      methods: providers.map((p) => p.code),
      options: providers.map((p, i) => {
        const publicKey = publicKeys[i];
        return publicKey ? { method: p.code, publicKey } : { method: p.code };
      }),
      providers: providers.map(({ code, descriptor: d }) => ({
        method: code,
        name: d.name,
        label: d.label,
        instruments: [...d.instruments],
        currencies: d.currencies === 'any' ? [] : [...d.currencies],
        collectsOnDelivery: Boolean(d.collectsOnDelivery),
      })),
    };
  }

  /** The enabled methods with what a browser needs to load each provider's checkout (the storefront's checkout page). */
  async enabledOptions(): Promise<PaymentMethodOption[]> {
    return (await this.enabledMethods()).options;
  }

  /**
   * Checkout's share of the payment, written in the order's own transaction. A provider paid on delivery needs
   * nothing from outside, so its payment row is written here and startPayment then needs no transaction of its own;
   * the payment of any other provider is created after the commit (returns undefined).
   */
  openPayment(batch: WriteBatch, order: OrderForPayment): Payment | undefined {
    const provider = this.providers.get(order.paymentMethod);
    return provider.descriptor.collectsOnDelivery ? this.createCollectionPayment(batch, provider, order) : undefined;
  }

  /** The payments row of an order paid on delivery (a CTE of checkout's one write: it is on the checkout hot path). */
  private createCollectionPayment(batch: WriteBatch, provider: PaymentProvider, order: OrderForPayment): Payment {
    const now = new Date();
    const payment: Payment = {
      id: randomUUID(),
      brandId: activeBrandId(),
      orderId: order.id,
      provider: provider.code,
      providerRef: collectionReference(provider.descriptor, order.id),
      status: 'PENDING',
      amountMinor: order.totalMinor,
      currency: order.currency,
      clientData: {},
      createdAt: now,
      updatedAt: now,
    };
    batch.with(
      'payment',
      Prisma.sql`
      INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_minor, currency, client_data, created_at, updated_at)
      VALUES (${payment.id}::uuid, ${payment.orderId}::uuid, ${payment.provider}, ${payment.providerRef}, 'PENDING', ${payment.amountMinor},
              ${payment.currency}, '{}'::jsonb, ${now}, ${now})`,
    );
    return payment;
  }

  /**
   * Creates (or returns the existing) provider payment of an order awaiting payment. Called by checkout after its
   * transaction commits (with the row openPayment wrote, if any), and by the retry endpoint. Exactly one provider
   * object per order: a payments row is claimed first under the order lock, the provider call carries an idempotency
   * key derived from our order id, and concurrent callers wait for the first one's result.
   */
  async startPayment(order: OrderForPayment, opened?: Payment): Promise<PaymentInstructions> {
    const provider = await this.providers.enabled(order.paymentMethod);
    if (opened) return this.instructions(opened);
    const deadline = Date.now() + CREATION_LEASE_MS;
    for (;;) {
      const step = await this.transactions.run((tx) => this.claimCreation(tx, order));
      if (step.kind === 'ready') return this.instructions(step.payment);
      if (step.kind === 'create') {
        const brand = await this.settings.brand();
        const suffix = step.sequence > 1 ? `-${step.sequence}` : '';
        const created = await provider
          .open({
            orderId: order.id,
            orderNumber: order.number,
            amountMinor: step.payment.amountMinor,
            currency: step.payment.currency,
            idempotencyKey: `orderline-order-${order.id}${suffix}`,
            receipt: `${order.number}${suffix}`,
            brandId: activeBrandId(),
            brandSlug: brand.slug || undefined,
          })
          .catch(async (error: unknown) => {
            // Give up the creation lease at once, so the customer's retry does not wait for it to lapse.
            await this.prisma.payment.updateMany({ where: { id: step.payment.id, providerRef: null }, data: { updatedAt: new Date(0) } });
            throw error;
          });
        const clientData = created.clientData as Prisma.InputJsonObject;
        // A webhook may have adopted the row with this provider reference meanwhile; the client data is still ours to add.
        await this.prisma.payment.updateMany({
          where: { id: step.payment.id, OR: [{ providerRef: null }, { providerRef: created.providerRef }] },
          data: { providerRef: created.providerRef, clientData },
        });
        return this.instructions({
          ...step.payment,
          providerRef: created.providerRef,
          clientData: created.clientData as Prisma.JsonObject,
        });
      }
      if (Date.now() > deadline) throw new ServiceUnavailableError('The payment for this order is still being created; retry shortly');
      await new Promise((resolve) => setTimeout(resolve, CREATION_POLL_MS));
    }
  }

  /** POST /orders/:id/payment: the payment instructions again (or for the first time, if checkout could not reach the provider). */
  async retryPayment(orderId: string, viewer: OrderViewer): Promise<PaymentInstructions> {
    const order = await this.prisma.order.findUnique({ where: { id: orderId } });
    if (!order || !canViewOrder(order, viewer)) throw new NotFoundError('Order', orderId);
    return this.startPayment(order);
  }

  /**
   * A client-side confirmation (Razorpay Checkout's handler result), its body as the provider declares it. The
   * signature is checked before anything else; the payment is then applied exactly like its webhook would be, so
   * repeats, concurrent calls and the webhook racing it all end in one capture.
   */
  async confirm(name: string, body: unknown): Promise<ClientConfirmationResult> {
    const provider = this.providers.named(name);
    const confirm = provider?.confirm?.bind(provider);
    const confirmation = provider?.descriptor.confirmation;
    if (!provider || !confirm || !confirmation) throw new NotFoundError(`Client confirmation for ${name}`);
    await this.providers.enabled(provider.code);
    const input = (await createValidationPipe().transform(body, { type: 'body', metatype: confirmation })) as Record<string, string>;
    const { paymentRef, events } = await confirm(input);
    await this.applyEvents(provider.code, events, providerActor(provider.code));
    // One round trip: the payment's order, and whether a capture paid for it (the applied_captures rule).
    const [confirmed] = await this.prisma.$queryRaw<(ClientConfirmationResult | undefined)[]>`
      SELECT o.id::text AS "orderId", o.number AS "orderNumber", o.status::text AS "orderStatus",
             EXISTS (SELECT 1 FROM applied_captures a WHERE a.order_id = o.id) AS paid
      FROM payments p JOIN orders o ON o.id = p.order_id
      WHERE p.provider = ${provider.code} AND p.provider_ref = ${paymentRef}`;
    if (!confirmed) throw new NotFoundError(`Order for ${provider.code} payment ${paymentRef}`);
    return confirmed;
  }

  /**
   * Brings an order's books in line with its providers when webhooks were lost (misconfigured secret, outage): reads
   * each provider payment's current state and applies it like a webhook, then resumes the order's unconfirmed refunds.
   */
  async reconcile(orderId: string, actor: Actor): Promise<PaymentSummary> {
    if (!(await this.prisma.order.findUnique({ where: { id: orderId }, select: { id: true } }))) throw new NotFoundError('Order', orderId);
    const payments = await this.prisma.payment.findMany({
      where: { orderId, provider: { notIn: this.providers.collectingOnDelivery() }, providerRef: { not: null } },
    });
    for (const { provider, providerRef } of payments) {
      if (providerRef) await this.applyEvents(provider, await this.providers.get(provider).reconcile(providerRef), actor);
    }
    const pending = await this.prisma.refund.findMany({ where: { orderId, status: 'PENDING' }, select: { id: true } });
    await this.refunds.send(
      pending.map((r) => r.id),
      actor,
    );
    return this.toSummary(await this.loadWithPaymentsOrThrow(orderId));
  }

  /**
   * Cancels the provider payments of orders that expired or were cancelled unpaid, so they can no longer take money
   * (a payment that still gets through is a late payment, handled as such). Claiming bumps updated_at under SKIP
   * LOCKED, so instances share the work. A provider that refuses (the payment succeeded meanwhile) is asked for the
   * payment's state, which is then applied like its webhook. Returns how many payments were handled.
   */
  async cancelAbandonedPayments(olderThanMs: number, limit = 50): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanMs);
    const claimed = await this.prisma.$queryRaw<{ id: string; order_id: string; provider: PaymentMethod; provider_ref: string }[]>`
      UPDATE payments SET updated_at = now() WHERE id IN (
        SELECT p.id FROM payments p JOIN orders o ON o.id = p.order_id
        WHERE p.status = 'PENDING' AND p.provider <> ALL(${this.providers.collectingOnDelivery()}::text[]) AND p.provider_ref IS NOT NULL
          AND o.status IN ('EXPIRED', 'CANCELLED') AND p.updated_at <= ${cutoff}
        ORDER BY p.updated_at LIMIT ${limit} FOR UPDATE OF p SKIP LOCKED)
      RETURNING id::text, order_id::text, provider, provider_ref`;
    for (const payment of claimed) {
      // One payment's trouble does not hold up the others; it is claimed again in a later round.
      await this.cancelAbandoned(payment).catch((error: unknown) => {
        this.logger.warn(`Abandoned payment ${payment.id} not cancelled yet: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    return claimed.length;
  }

  private async cancelAbandoned(payment: { id: string; order_id: string; provider: PaymentMethod; provider_ref: string }): Promise<void> {
    const provider = this.providers.get(payment.provider);
    try {
      await provider.cancel(payment.provider_ref);
    } catch (error) {
      if (!(error instanceof ProviderRejectedError)) throw error;
      await this.applyEvents(payment.provider, await provider.reconcile(payment.provider_ref), SYSTEM_ACTOR);
      return;
    }
    await this.transactions.run(async (tx) => {
      const order = await this.transitions.lockOrder(tx, payment.order_id);
      const current = await tx.payment.findUniqueOrThrow({ where: { id: payment.id } });
      if (current.status !== 'PENDING' || (order.status !== 'EXPIRED' && order.status !== 'CANCELLED')) return;
      await this.ledger.markCancelled(tx, order, payment.id, SYSTEM_ACTOR, { providerRef: payment.provider_ref });
    });
  }

  /** Applies provider events in one Serializable transaction, then sends the refunds they scheduled. */
  private async applyEvents(method: PaymentMethod, events: PaymentEvent[], actor: Actor): Promise<void> {
    const refundIds = await this.transactions.run(async (tx) => (await this.ledger.applyAll(tx, method, events, actor)).refundsToSend);
    await this.refunds.send(refundIds, actor);
  }

  /**
   * An order was delivered: for a provider paid on delivery the courier collected the total, recorded as a captured
   * payment. Called by the delivery flow inside its transaction (the order is locked there); recorded once per order
   * however often it is called. Prepaid orders need nothing.
   */
  async recordDelivery(tx: Tx, order: Pick<Order, 'id' | 'paymentMethod' | 'totalMinor' | 'currency'>, actor: Actor): Promise<void> {
    const provider = this.providers.get(order.paymentMethod);
    if (!provider.descriptor.collectsOnDelivery) return;
    const ref = collectionReference(provider.descriptor, order.id);
    const payment = await tx.payment.upsert({
      where: { brandId_provider_providerRef: { brandId: activeBrandId(), provider: provider.code, providerRef: ref } },
      create: {
        orderId: order.id,
        provider: provider.code,
        providerRef: ref,
        status: 'SUCCEEDED',
        amountMinor: order.totalMinor,
        currency: order.currency,
      },
      update: { status: 'SUCCEEDED' },
    });
    const recorded = await tx.paymentAttempt.createMany({
      data: [
        {
          orderId: order.id,
          paymentId: payment.id,
          provider: provider.code,
          providerPaymentId: ref,
          status: 'CAPTURED',
          amountMinor: order.totalMinor,
          currency: order.currency,
          capturedAt: new Date(),
        },
      ],
      skipDuplicates: true,
    });
    if (recorded.count) {
      await this.audit.record(tx, {
        actor,
        action: 'payment.cash_collected',
        entityType: 'order',
        entityId: order.id,
        after: { amountMinor: order.totalMinor, currency: order.currency },
      });
    }
  }

  /** The carrier's remittance of cash collected on delivery: set once on the cash capture (see PaymentGateway.remitted). */
  async recordRemittance(
    tx: Tx,
    order: Pick<Order, 'id' | 'paymentMethod'>,
    remittance: CashRemittance,
    actor: Actor,
  ): Promise<'recorded' | 'already_recorded' | 'not_collected'> {
    const provider = this.providers.get(order.paymentMethod);
    if (!provider.descriptor.collectsOnDelivery) return 'not_collected';
    const ref = collectionReference(provider.descriptor, order.id);
    const capture = await tx.paymentAttempt.findFirst({ where: { provider: provider.code, providerPaymentId: ref } });
    if (capture?.status !== 'CAPTURED') return 'not_collected';
    if (capture.remittedAt) return 'already_recorded';
    if (remittance.currency !== capture.currency) {
      throw new InvalidInputError(`The remittance is in ${remittance.currency}; the cash was collected in ${capture.currency}`);
    }
    await tx.paymentAttempt.update({
      where: { id: capture.id },
      data: { remittedMinor: remittance.amountMinor, remittanceRef: remittance.reference, remittedAt: remittance.remittedAt },
    });
    await this.audit.record(tx, {
      actor,
      action: 'payment.cash_remitted',
      entityType: 'order',
      entityId: order.id,
      before: { remittedMinor: null },
      after: { collectedMinor: capture.amountMinor, remittedMinor: remittance.amountMinor, reference: remittance.reference },
    });
    return 'recorded';
  }

  async summary(orderId: string, viewer: OrderViewer): Promise<PaymentSummary> {
    const order = await this.loadWithPayments(orderId);
    if (!order || !canViewOrder(order, viewer)) throw new NotFoundError('Order', orderId);
    return this.toSummary(order);
  }

  private async money(orderId: string): Promise<OrderMoney> {
    const [money] = await this.prisma.$queryRaw<OrderMoney[]>`
      SELECT paid_minor AS "paidMinor", refunded_minor AS "refundedMinor", pending_refund_minor AS "pendingRefundMinor",
          refundable_minor AS "refundableMinor"
      FROM order_payment_totals WHERE order_id = ${orderId}::uuid`;
    return money;
  }

  private loadWithPayments(orderId: string) {
    return this.prisma.order.findUnique({
      where: { id: orderId },
      include: {
        payments: { orderBy: { createdAt: 'asc' } },
        paymentAttempts: { orderBy: { createdAt: 'asc' } },
        refunds: { orderBy: { createdAt: 'asc' } },
      },
    });
  }

  private async loadWithPaymentsOrThrow(orderId: string) {
    const order = await this.loadWithPayments(orderId);
    if (!order) throw new NotFoundError('Order', orderId);
    return order;
  }

  private async toSummary(order: NonNullable<Awaited<ReturnType<PaymentsService['loadWithPayments']>>>): Promise<PaymentSummary> {
    return {
      orderId: order.id,
      orderNumber: order.number,
      orderStatus: order.status,
      paymentMethod: order.paymentMethod,
      currency: order.currency,
      totalMinor: order.totalMinor,
      ...(await this.money(order.id)),
      needsReview: order.needsReview,
      payments: order.payments,
      attempts: order.paymentAttempts,
      refunds: order.refunds,
    };
  }

  /**
   * Decides, under the order lock, whether this caller creates the provider payment: 'ready' (it exists), 'create'
   * (this caller holds the creation lease on a claimed row) or 'wait' (another caller is creating it right now).
   */
  private async claimCreation(
    tx: Tx,
    input: OrderForPayment,
  ): Promise<{ kind: 'ready'; payment: Payment } | { kind: 'create'; payment: Payment; sequence: number } | { kind: 'wait' }> {
    const order = await this.transitions.lockOrder(tx, input.id);
    const payments = await tx.payment.findMany({
      where: { orderId: order.id, provider: order.paymentMethod },
      orderBy: { createdAt: 'asc' },
    });
    const current = payments.filter((p) => p.status === 'PENDING' || p.status === 'SUCCEEDED').at(-1);
    if (current?.providerRef && current.clientData) return { kind: 'ready', payment: current };
    const provider = this.providers.get(order.paymentMethod);
    if (provider.descriptor.collectsOnDelivery && current) return { kind: 'ready', payment: current };
    if (provider.descriptor.collectsOnDelivery) {
      const batch = new WriteBatch();
      const payment = this.createCollectionPayment(batch, provider, order);
      await batch.run(tx);
      return { kind: 'ready', payment };
    }
    if (order.status !== 'PAYMENT_PENDING')
      throw new ConflictError(`Order is ${order.status}; it is not awaiting payment`, { currentStatus: order.status });
    if (current) {
      if (current.updatedAt.getTime() > Date.now() - CREATION_LEASE_MS) return { kind: 'wait' };
      // The caller that claimed this row never finished (crash, timeout): take over with the same idempotency key.
      const taken = await tx.payment.update({ where: { id: current.id }, data: { updatedAt: new Date() } });
      return { kind: 'create', payment: taken, sequence: payments.indexOf(current) + 1 };
    }
    if (order.reservationExpiresAt && order.reservationExpiresAt.getTime() <= Date.now()) {
      throw new ConflictError('The stock reservation of this order has expired', { currentStatus: order.status });
    }
    const payment = await tx.payment.create({
      data: { orderId: order.id, provider: order.paymentMethod, amountMinor: order.totalMinor, currency: order.currency },
    });
    return { kind: 'create', payment, sequence: payments.length + 1 };
  }

  private async instructions(payment: Payment): Promise<PaymentInstructions> {
    const provider = this.providers.get(payment.provider);
    const clientData = (payment.clientData ?? {}) as Record<string, unknown>;
    const fields = await provider.instructions({ providerRef: payment.providerRef ?? '', clientData });
    return { method: payment.provider, paymentId: payment.id, amountMinor: payment.amountMinor, currency: payment.currency, ...fields };
  }
}
