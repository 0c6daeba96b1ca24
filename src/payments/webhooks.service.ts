import { Injectable } from '@nestjs/common';
import type { PaymentMethod } from '../orders/payment-gateway.js';
import { Prisma } from '../generated/prisma/client.js';
import { WriteBatch } from '../prisma/write-batch.js';
import { withLiterals } from '../prisma/direct-sql.js';
import { providerActor } from '../common/actor.js';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { MetricsService } from '../ops/metrics.service.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentLedger } from './payment-ledger.service.js';
import { PaymentTransactions } from './payment-transactions.js';
import { RefundsService } from './refunds.service.js';
import type { PaymentProvider, VerifiedWebhook, WebhookHeaders } from './payment-provider.js';

export interface WebhookReceipt {
  eventId: string;
  /** True when this event id was already received: acknowledged and ignored. */
  duplicate: boolean;
  result: string;
}

/** Thrown inside the transaction when a delivery of the event was received first (committed): rolls this one back. */
class AlreadyReceived extends Error {}

/**
 * Provider webhooks: verified over the raw body, then applied and recorded in one transaction (PaymentTransactions) — so an
 * event is either fully processed and remembered, or neither (and the provider's retry processes it). The transaction
 * first looks for the event's row (a redelivery stops there); the unique (provider, event_id) row is written last: a
 * concurrent delivery of the same event that commits first makes this one roll back as a duplicate (ON CONFLICT waits
 * for it). Refunds the event scheduled are sent after the commit.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly transactions: PaymentTransactions,
    private readonly providers: PaymentProviders,
    private readonly ledger: PaymentLedger,
    private readonly refunds: RefundsService,
    private readonly metrics: MetricsService,
  ) {}

  /** A delivery to POST /webhooks/{name}: 404 for a name that is no provider with webhooks. */
  async receive(name: string, rawBody: Buffer | undefined, headers: WebhookHeaders): Promise<WebhookReceipt> {
    const provider = this.providers.named(name);
    const parse = provider?.parseWebhook?.bind(provider);
    if (!provider || !parse) throw new NotFoundError('Webhook endpoint for payment provider', name.slice(0, 32));
    const method = provider.code;
    const { webhook, payload } = await this.verify(provider.descriptor.name, parse, rawBody, headers);
    const actor = providerActor(method);
    let outcome: { result: string; refundIds: string[] };
    try {
      // Raw statements on a direct connection: whether the event was received, the order's lock and read, then (in the
      // common case) ONE statement with the ledger's writes and the event's row.
      outcome = await this.transactions.run(
        async (tx) => {
          // A redelivery of a processed event is answered before anything is locked. Without parameters (its values
          // written as literals) this statement travels with the BEGIN: it costs no round trip of its own.
          const [seen] = await tx.$queryRaw<unknown[]>(
            withLiterals(Prisma.sql`SELECT 1 FROM webhook_events WHERE provider = ${method} AND event_id = ${webhook.eventId}`),
          );
          if (seen) throw new AlreadyReceived();
          const batch = new WriteBatch();
          const applied = await this.ledger.applyAll(tx, method, webhook.events, actor, batch);
          const result = applied.result || `ignored: ${webhook.type} is not acted on`;
          let recorded = 0;
          batch
            .with(
              'webhook_event',
              Prisma.sql`
              INSERT INTO webhook_events (id, provider, event_id, type, payload, result, processed_at)
              VALUES (gen_random_uuid(), ${method}, ${webhook.eventId}, ${webhook.type}, ${payload}::jsonb, ${result}, now())
              ON CONFLICT (brand_id, provider, event_id) DO NOTHING
              RETURNING 1`,
            )
            .returning<number>('webhook_recorded', Prisma.sql`(SELECT count(*)::int FROM webhook_event)`, (rows) => {
              recorded = rows;
            });
          await batch.run(tx);
          if (!recorded) throw new AlreadyReceived();
          return { result, refundIds: applied.refundsToSend };
        },
        { direct: true },
      );
    } catch (error) {
      if (error instanceof AlreadyReceived) return this.duplicate(method, webhook);
      throw error;
    }
    this.metrics.webhookEvent(method.toLowerCase(), 'applied');
    await this.refunds.send(outcome.refundIds, actor);
    return { eventId: webhook.eventId, duplicate: false, result: outcome.result };
  }

  private duplicate(method: PaymentMethod, webhook: VerifiedWebhook): WebhookReceipt {
    this.metrics.webhookEvent(method.toLowerCase(), 'duplicate');
    return { eventId: webhook.eventId, duplicate: true, result: 'duplicate: already received' };
  }

  /** The verified event and its body (stored as received). */
  private async verify(
    name: string,
    parse: NonNullable<PaymentProvider['parseWebhook']>,
    rawBody: Buffer | undefined,
    headers: WebhookHeaders,
  ): Promise<{ webhook: VerifiedWebhook; payload: string }> {
    try {
      if (!rawBody?.length) throw new InvalidInputError('Webhook body is empty');
      return { webhook: await parse(rawBody, headers), payload: rawBody.toString('utf8') };
    } catch (error) {
      if (error instanceof InvalidInputError) this.metrics.webhookEvent(name, 'rejected');
      throw error;
    }
  }
}
