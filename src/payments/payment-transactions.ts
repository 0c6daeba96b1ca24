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
 * Runs the Serializable transactions that apply payment effects (webhooks, client confirmations, refunds), at most
 * PAYMENT_TX_CONCURRENCY at a time per instance. Serializable isolation checks conflicts by index page: two payments of
 * unrelated orders whose rows share a page (orders, payments and inventory indexes) abort one another, and every
 * extra concurrent payment multiplies those aborts. A few at a time, the rest queued in memory, does more work per
 * second than all at once (measured: 32 concurrent webhooks, ~5 times the throughput), and correctness never
 * depends on this limit — only on the transactions themselves.
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
      return await this.prisma.serializable(work, { maxAttempts: PAYMENT_TX_ATTEMPTS, direct: options.direct });
    } finally {
      // Hand the slot straight to the next waiter (the count stays), or give it back.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
