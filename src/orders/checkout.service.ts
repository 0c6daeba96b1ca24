import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Prisma, type Order, type OrderItem, type Payment } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { unnestColumn } from '../prisma/unnest-column.js';
import { WriteBatch } from '../prisma/write-batch.js';
import { AuditService, type AuditEntry } from '../audit/audit.service.js';
import { StockLedger, type StockMovementInput } from '../inventory/stock-ledger.js';
import { SettingsService } from '../settings/settings.service.js';
import type { AuthUser } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { DomainError, TransactionConflictError, UnprocessableError } from '../common/errors/domain-errors.js';
import { nationalPhone } from './dto/normalize.js';
import { IdempotencyKeyReleasedError } from '../idempotency/idempotency.service.js';
import { isForeignKeyViolation } from '../prisma/database-errors.js';
import { implementationOf } from '../common/ports.js';
import { MetricsService } from '../ops/metrics.service.js';
import { transition, type OrderEvent } from './order-state-machine.js';
import { InsufficientStockError, shortages, type StockDemand } from '../inventory/stock-shortage.js';
import { priceCart } from '../cart/cart-pricing.js';
import { OrderTransitionsService } from './order-transitions.service.js';
import { OrderAnnouncements } from './order-announcements.js';
import { newGuestToken } from './guest-token.js';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../config/configuration.js';
import { KeyedMutex, KeyedSemaphore } from './keyed-mutex.js';
import { activeBrandId } from '../common/context/brand-context.js';
import { toOrderResponse } from './order-response.js';
import { PaymentGateway } from './payment-gateway.js';
import { DropCheckout, type DropClaim } from '../drops/drop-checkout.js';
import type { CheckoutDto, CheckoutResponse, PaymentErrorResponse } from './dto/checkout.dto.js';
/** Everything the transaction writes, prepared before it starts so a retried attempt repeats no work. */
interface PlacedOrder {
  /** The order row but for what the transaction decides: its status, reservation expiry and timestamps. */
  order: Omit<Order, 'brandId' | 'status' | 'reservationExpiresAt' | 'createdAt' | 'updatedAt'>;
  items: Omit<OrderItem, 'brandId'>[];
  demand: StockDemand;
  event: OrderEvent;
  actor: Actor;
  reservationTtlMs: number;
  /** What the order takes from drops, counted against the customer's limits inside the transaction. */
  dropClaims: DropClaim[];
}

/**
 * Checkout: turns a cart into an order whose stock is reserved (prepaid) or sold (cash on delivery), in one
 * Serializable transaction that can never oversell — the inventory rows are locked (in id order, so multi-item orders
 * cannot deadlock), availability is checked under the lock, and the database CHECKs back it up. The rest is about
 * speed on a hot product: refuse what committed stock cannot cover before queueing, let this instance's checkouts of
 * a variant take turns instead of colliding in the database, and hold the row locks for as few statements as possible.
 */
@Injectable()
export class CheckoutService implements OnModuleInit {
  private readonly logger = new Logger(CheckoutService.name);
  private payments!: PaymentGateway;
  /**
   * Checkouts of the same variants in this instance take turns here before their transaction starts. In PostgreSQL
   * they would queue on the inventory row lock, and under Serializable isolation a transaction that waited for a row
   * another one then changed fails (40001) and starts over: for a popular product most attempts would be such
   * failures. Queued here, each transaction finds the rows free. Other instances, and other writers of stock, are
   * still kept apart by the row locks, with retries.
   */
  private readonly variantTurns = new KeyedMutex();
  /**
   * Platform mode: checkouts of one brand in flight at once (CHECKOUT_BRAND_CONCURRENCY), so one brand's drop cannot
   * take every database connection of the instance while other brands' customers wait. Undefined in single-brand mode.
   */
  private readonly brandGate?: KeyedSemaphore;

  constructor(
    private readonly prisma: PrismaService,
    private readonly ledger: StockLedger,
    private readonly transitions: OrderTransitionsService,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
    private readonly announcements: OrderAnnouncements,
    private readonly metrics: MetricsService,
    private readonly moduleRef: ModuleRef,
    private readonly drops: DropCheckout,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    if (config.get('PLATFORM_MODE', { infer: true }))
      this.brandGate = new KeyedSemaphore(
        config.get<number | undefined>('CHECKOUT_BRAND_CONCURRENCY') ?? Math.max(1, config.get('DB_POOL_SIZE', { infer: true }) - 2),
      );
  }

  onModuleInit(): void {
    this.payments = implementationOf(this.moduleRef, PaymentGateway);
  }

  /**
   * `idempotencyKeyId` (the claimed Idempotency-Key, if the request has one) is stored on the order: its foreign key
   * fences the key, so a checkout whose key an admin (or a takeover) released meanwhile cannot commit a second order.
   */
  async checkout(dto: CheckoutDto, user: AuthUser | undefined, actor: Actor, idempotencyKeyId?: string): Promise<CheckoutResponse> {
    const cart = await priceCart(this.prisma.direct, dto.items);
    // A drop that is not open to this customer, or a cart over its limits, is refused before anything else is asked.
    const dropClaims = await this.drops.admit(cart.demand, { contact: dto.contact, userId: user?.id, accessCode: dto.accessCode });
    // A method that does not exist, is not configured or does not take the cart's currency is refused before anything is held.
    const method = await this.payments.checkoutMethod(dto.paymentMethod, cart.currency);
    if (method.collectsOnDelivery) await this.refuseRiskyCashOnDelivery(dto.contact.phone);
    const guest = user ? undefined : newGuestToken();
    const orderId = randomUUID();
    const placed: PlacedOrder = {
      order: {
        id: orderId,
        userId: user?.id ?? null,
        paymentMethod: method.code,
        currency: cart.currency,
        subtotalMinor: cart.totalMinor,
        totalMinor: cart.totalMinor,
        trackingUrl: null,
        carrierStatus: null,
        customerName: dto.contact.name,
        email: dto.contact.email ?? null,
        phone: dto.contact.phone,
        shippingAddress: Object.fromEntries(Object.entries(dto.shippingAddress)),
        number: '',
        guestTokenHash: guest?.hash ?? null,
        needsReview: false,
        carrier: null,
        trackingNumber: null,
        idempotencyKeyId: idempotencyKeyId ?? null,
      },
      items: cart.lines.map(({ productId: _productId, ...line }) => ({ id: randomUUID(), orderId, ...line })),
      demand: cart.demand,
      event: method.collectsOnDelivery ? 'CONFIRM_COD' : 'AWAIT_PAYMENT',
      actor,
      reservationTtlMs: (await this.settings.reservationTtlSeconds()) * 1000,
      dropClaims,
    };
    let committed: { order: Order & { items: OrderItem[] }; payment?: Payment };
    try {
      // A cart the committed stock cannot cover is refused without queueing for its turn or the row locks: after a drop
      // sells out, the crowd hears "sold out" at the cost of one read. Enough stock here is re-checked under the lock.
      const short = shortages(cart.demand, cart.levels);
      if (short.length) throw new InsufficientStockError(short);
      // The brand's next order number (OL-000123), from its sequence, taken once before the transaction (a retried
      // attempt keeps it): a sequence is not transactional, and the transaction's first statement is then the lock,
      // which travels with its BEGIN (StockLedger.lock, first), so the variant's turn is a round trip shorter.
      [{ number: placed.order.number }] = await this.prisma.direct.$queryRaw<
        { number: string }[]
      >`SELECT orderline_next_order_number() AS number`;
      const place = () =>
        this.variantTurns.runExclusive([...placed.demand.keys()], () =>
          this.prisma.serializable((tx) => this.placeOrder(tx, placed), { direct: true, keyedPlans: true }),
        );
      committed = await (this.brandGate ? this.brandGate.run(activeBrandId(), place) : place());
    } catch (error) {
      if (error instanceof InsufficientStockError) this.metrics.checkout('sold_out');
      else if (error instanceof TransactionConflictError) this.metrics.checkout('conflict');
      if (isForeignKeyViolation(error, 'orders_idempotency_key_id_fkey')) throw new IdempotencyKeyReleasedError();
      throw error;
    }
    this.metrics.checkout('created');
    const { order, payment: opened } = committed;
    const { payment, paymentError } = await this.startPayment(order, opened);
    return { order: toOrderResponse(order), payment, ...(paymentError && { paymentError }), ...(guest && { guestToken: guest.token }) };
  }

  /**
   * The brand's COD risk rule: a phone with codRtoBlockThreshold or more parcels returned to origin (refused, not
   * collected) may still order, but must pay online. Checked before anything is reserved.
   */
  private async refuseRiskyCashOnDelivery(phone: string): Promise<void> {
    const threshold = await this.settings.codRtoBlockThreshold();
    if (threshold === undefined) return;
    const row = await this.prisma.customerRtoCount.findFirst({ where: { phoneKey: nationalPhone(phone) } });
    if (row && row.count >= threshold) throw new CashOnDeliveryBlockedError();
  }

  /**
   * The transaction: lock (and check) the inventory rows, in the round trip of its BEGIN; then ONE statement writes
   * the order with its items, history and audit rows, a drop's purchase counters (checked once it ran) and claims, the
   * stock levels and ledger, the outbox (order.created) and, for cash on delivery, the payment row. The row locks are
   * held, and the Serializable snapshot is open, for three round trips: what concurrent checkouts can collide with
   * shrinks with it, and a hot variant's checkouts take their turns that much faster.
   */
  private async placeOrder(tx: Tx, placed: PlacedOrder): Promise<{ order: Order & { items: OrderItem[] }; payment?: Payment }> {
    const short = shortages(placed.demand, await this.ledger.lock(tx, [...placed.demand.keys()], { first: true }));
    if (short.length) throw new InsufficientStockError(short);
    const batch = new WriteBatch();
    this.drops.claimIn(batch, placed.order.id, placed.dropClaims);

    const t = transition({ status: 'CREATED' }, placed.event);
    const now = new Date();
    const draft = {
      ...placed.order,
      status: t.to,
      createdAt: now,
      updatedAt: now,
      reservationExpiresAt: t.to === 'PAYMENT_PENDING' ? new Date(now.getTime() + placed.reservationTtlMs) : null,
    };
    const options = { actor: placed.actor };
    const history: Prisma.OrderStatusHistoryCreateManyInput[] = [
      {
        orderId: draft.id,
        fromStatus: null,
        toStatus: 'CREATED',
        event: 'CHECKOUT',
        reason: null,
        actorType: placed.actor.type,
        actorId: placed.actor.id ?? null,
      },
      this.transitions.historyEntry(draft.id, t, options),
    ];
    const audit: AuditEntry[] = [
      {
        actor: placed.actor,
        action: 'order.created',
        entityType: 'order',
        entityId: draft.id,
        after: {
          status: 'CREATED',
          paymentMethod: draft.paymentMethod,
          currency: draft.currency,
          totalMinor: draft.totalMinor,
          items: placed.items.map((i) => ({ variantId: i.variantId, sku: i.sku, quantity: i.quantity, unitPriceMinor: i.unitPriceMinor })),
        },
      },
      this.transitions.auditEntry(draft.id, t, options),
    ];
    const order = { ...draft, brandId: '', items: placed.items.map((item) => ({ ...item, brandId: '' })) };
    this.insertOrderIn(batch, draft, placed.items, history, audit, (brandId) => {
      order.brandId = brandId;
      for (const item of order.items) item.brandId = brandId;
    });
    const reservations: StockMovementInput[] = placed.items.map((item) => ({
      variantId: item.variantId,
      kind: 'RESERVATION',
      onHandDelta: 0,
      reservedDelta: item.quantity,
      orderId: order.id,
      actorId: placed.actor.id,
      reason: `checkout ${order.number}`,
    }));
    this.ledger.applyIn(batch, tx, [...reservations, ...this.transitions.stockMovements(order, t, options)]);
    this.announcements.announceIn(batch, [{ event: 'order.created', order }]);
    const payment = this.payments.open(batch, order);
    await batch.run(tx);
    this.metrics.orderTransition(tx, t.from, t.to);
    return { order, payment };
  }

  /**
   * The order, its items, its history and its audit entries as CTEs of the checkout's statement (o, items, history,
   * audit); `brand` gets the brand the row was written for. The foreign keys of the items and history are checked at
   * the end of the statement, when the order row exists.
   */
  private insertOrderIn(
    batch: WriteBatch,
    order: Omit<Order, 'brandId'>,
    items: Omit<OrderItem, 'brandId'>[],
    history: Prisma.OrderStatusHistoryCreateManyInput[],
    audit: AuditEntry[],
    brand: (brandId: string) => void,
  ): void {
    const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
    const auditRows = audit.map((entry) => this.audit.toRow(entry));
    batch
      .with(
        'o',
        Prisma.sql`
        INSERT INTO orders (id, number, user_id, status, payment_method, currency, subtotal_minor, total_minor, customer_name, email, phone,
                            shipping_address, guest_token_hash, reservation_expires_at, needs_review, carrier, tracking_number, idempotency_key_id,
                            created_at, updated_at)
        VALUES (${order.id}::uuid, ${order.number}, ${order.userId}::uuid, ${order.status}::"OrderStatus", ${order.paymentMethod}, ${order.currency},
                ${order.subtotalMinor}, ${order.totalMinor}, ${order.customerName}, ${order.email}, ${order.phone},
                ${json(order.shippingAddress)}::jsonb, ${order.guestTokenHash}, ${order.reservationExpiresAt}, ${order.needsReview}, ${order.carrier},
                ${order.trackingNumber}, ${order.idempotencyKeyId}::uuid, ${order.createdAt}, ${order.updatedAt})
        RETURNING brand_id`,
      )
      .with(
        'items',
        Prisma.sql`
        INSERT INTO order_items (id, order_id, variant_id, sku, product_name, variant_name, unit_price_minor, quantity, line_total_minor)
        SELECT i.id, ${order.id}::uuid, i.variant_id, i.sku, i.product_name, i.variant_name, i.unit_price_minor, i.quantity, i.line_total_minor
        FROM unnest(${unnestColumn(items, 'id')}::uuid[], ${unnestColumn(items, 'variantId')}::uuid[],
                    ${unnestColumn(items, 'sku')}::text[], ${unnestColumn(items, 'productName')}::text[],
                    ${unnestColumn(items, 'variantName')}::text[], ${unnestColumn(items, 'unitPriceMinor')}::int[],
                    ${unnestColumn(items, 'quantity')}::int[], ${unnestColumn(items, 'lineTotalMinor')}::int[])
          AS i(id, variant_id, sku, product_name, variant_name, unit_price_minor, quantity, line_total_minor)`,
      )
      .with(
        'history',
        Prisma.sql`
        INSERT INTO order_status_history (order_id, from_status, to_status, event, reason, actor_type, actor_id)
        SELECT ${order.id}::uuid, h.from_status::"OrderStatus", h.to_status::"OrderStatus", h.event, h.reason, h.actor_type, h.actor_id
        FROM unnest(${unnestColumn(history, 'fromStatus')}::text[], ${unnestColumn(history, 'toStatus')}::text[],
                    ${unnestColumn(history, 'event')}::text[], ${unnestColumn(history, 'reason')}::text[],
                    ${unnestColumn(history, 'actorType')}::text[], ${unnestColumn(history, 'actorId')}::text[])
          WITH ORDINALITY AS h(from_status, to_status, event, reason, actor_type, actor_id, n)
        ORDER BY h.n`,
      )
      .with(
        'audit',
        Prisma.sql`
        INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id, before, after, request_id)
        SELECT a.actor_type, a.actor_id, a.action, a.entity_type, a.entity_id, a.before, a.after, a.request_id
        FROM unnest(${unnestColumn(auditRows, 'actorType')}::text[], ${unnestColumn(auditRows, 'actorId')}::text[],
                    ${unnestColumn(auditRows, 'action')}::text[], ${unnestColumn(auditRows, 'entityType')}::text[],
                    ${unnestColumn(auditRows, 'entityId')}::text[],
                    ${auditRows.map((r) => json(r.before))}::jsonb[], ${auditRows.map((r) => json(r.after))}::jsonb[],
                    ${unnestColumn(auditRows, 'requestId')}::text[])
          WITH ORDINALITY AS a(actor_type, actor_id, action, entity_type, entity_id, before, after, request_id, n)
        ORDER BY a.n`,
      )
      .returning<string>('order_brand', Prisma.sql`(SELECT brand_id::text FROM o)`, brand);
  }

  /**
   * Asks the provider for what the client needs to pay. The order is committed by now: if the provider fails, the
   * order stays PAYMENT_PENDING (stock held until it expires) and the client retries payment for it.
   */
  private async startPayment(
    order: Order & { items: OrderItem[] },
    opened: Payment | undefined,
  ): Promise<{ payment: Record<string, unknown> | null; paymentError?: PaymentErrorResponse }> {
    try {
      return { payment: { ...(await this.payments.start(order, opened)) } };
    } catch (error) {
      const known = error instanceof DomainError;
      this.logger.warn(`Payment could not be started for order ${order.number}: ${(error as Error).message}`);
      return {
        payment: null,
        paymentError: {
          statusCode: known ? error.status : 502,
          message: known ? error.message : 'The payment provider could not be reached; retry payment for this order',
        },
      };
    }
  }
}

/** Cash on delivery refused for this phone (its parcels came back too often): the customer can pay online instead. */
export class CashOnDeliveryBlockedError extends UnprocessableError {
  constructor() {
    super('Cash on delivery is not available for this phone number; please choose an online payment method', {
      code: 'COD_NOT_AVAILABLE',
      field: 'paymentMethod',
    });
  }
}
