import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../config/configuration.js';
import type { PaymentEnvironment } from './payment-config.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';

/**
 * Attempts for a transaction that applies payment effects. They are idempotent and the caller (a provider retrying a
 * webhook, a customer's browser) would only retry them anyway, so they get more attempts than a checkout: a burst of
 * payments for one popular variant, or several deliveries of one event, must all land, one after another.
 */
const PAYMENT_TX_ATTEMPTS = 30;

/**
 * Runs the transactions that apply payment effects (webhooks, client confirmations, refunds), at most
 * PAYMENT_TX_CONCURRENCY at a time per instance, at READ COMMITTED. Serializable is not needed because every decision
 * they take is taken under a lock or a unique constraint, and read in a statement that starts once the lock is held:
 * - the order row is locked FOR UPDATE first (all money of one order serialises on it); a lock that waited returns the
 *   order as the holder committed it, so the capture claim in the same statement tests its current status and total;
 *   everything else the decisions read (attempts, refunds, balances, the payment's status) is read by later statements;
 * - a capture is claimed by inserting its attempt, unique on the provider payment id (every event naming one payment
 *   — Razorpay payment.captured and order.paid, Stripe payment_intent.succeeded and charge.succeeded — claims the
 *   same id; ON CONFLICT sees committed rows whatever the snapshot), an event by its unique webhook_events row;
 * - stock is locked FOR UPDATE before a late payment checks availability, and moved by deltas; drop counters likewise.
 * Against the Serializable transactions that share these rows: a capture of an order awaiting payment always updates
 * the order row, so the expiry job (which locks orders SKIP LOCKED) either skips it or fails to lock it and retries;
 * a checkout that locks stock a payment changed since its snapshot fails and retries, and a payment that waits on
 * checkout's stock lock reads what checkout committed. What Serializable added was predicate locks on index pages:
 * unrelated orders sharing a page aborted each other (17–20 % rolled back at 8 at once), which this avoids.
 * The limit only keeps pool connections for other work; correctness never depends on it.
 */
@Injectable()
export class PaymentTransactions {
  private readonly limit: number;
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly prisma: PrismaService,
    config: ConfigService<EnvironmentVariables & PaymentEnvironment, true>,
  ) {
    this.limit = config.get('PAYMENT_TX_CONCURRENCY', { infer: true });
  }

  /** `direct`: `work` sends raw statements only (prisma.serializable's direct transaction, for the webhook hot path). */
  async run<T>(work: (tx: Tx) => Promise<T>, options: { direct?: boolean } = {}): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await this.prisma.serializable(work, { maxAttempts: PAYMENT_TX_ATTEMPTS, direct: options.direct, isolation: 'readCommitted' });
    } finally {
      // Hand the slot straight to the next waiter (the count stays), or give it back.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
