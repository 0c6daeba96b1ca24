import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client.js';
import type { PaymentMethod } from '../generated/prisma/enums.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { Actor } from '../common/actor.js';
import { InvalidInputError } from '../common/errors/domain-errors.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentLedger } from './payment-ledger.service.js';
import { RefundsService } from './refunds.service.js';
import type { VerifiedWebhook, WebhookHeaders } from './payment-provider.js';
import { MetricsService } from '../ops/metrics.service.js';

export interface WebhookReceipt {
  eventId: string;
  /** True when this event id was already received: acknowledged and ignored. */
  duplicate: boolean;
  result: string;
}

/**
 * Provider webhooks: verified over the raw body, recorded once per (provider, event id), and applied in the same
 * Serializable transaction as the record — so an event is either fully processed and remembered, or neither (the
 * provider's retry then processes it). Refunds the event scheduled are sent after the commit.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly providers: PaymentProviders,
    private readonly ledger: PaymentLedger,
    private readonly refunds: RefundsService,
    private readonly metrics: MetricsService,
  ) {}

  async receive(method: PaymentMethod, rawBody: Buffer | undefined, headers: WebhookHeaders): Promise<WebhookReceipt> {
    const webhook = await this.verify(method, rawBody, headers);
    const actor: Actor = { type: 'PROVIDER', id: method.toLowerCase() };
    const outcome = await this.prisma.serializable(async (tx) => {
      const recorded = await tx.webhookEvent.createMany({
        data: [{ provider: method, eventId: webhook.eventId, type: webhook.type, payload: webhook.payload as Prisma.InputJsonValue }],
        skipDuplicates: true,
      });
      if (!recorded.count) return { duplicate: true, result: 'duplicate: already received', refundIds: [] as string[] };
      const results: string[] = [];
      const refundIds: string[] = [];
      for (const event of webhook.events) {
        const applied = await this.ledger.apply(tx, method, event, actor);
        results.push(applied.result);
        refundIds.push(...applied.refundsToSend);
      }
      const result = results.join('; ') || `ignored: ${webhook.type} is not acted on`;
      await tx.webhookEvent.update({ where: { provider_eventId: { provider: method, eventId: webhook.eventId } }, data: { result, processedAt: new Date() } });
      return { duplicate: false, result, refundIds };
    });
    this.metrics.webhookEvent(method.toLowerCase(), outcome.duplicate ? 'duplicate' : 'applied');
    await this.refunds.send(outcome.refundIds, actor);
    return { eventId: webhook.eventId, duplicate: outcome.duplicate, result: outcome.result };
  }

  private async verify(method: PaymentMethod, rawBody: Buffer | undefined, headers: WebhookHeaders): Promise<VerifiedWebhook> {
    try {
      if (!rawBody?.length) throw new InvalidInputError('Webhook body is empty');
      return await this.providers.get(method).parseWebhook(rawBody, headers);
    } catch (error) {
      if (error instanceof InvalidInputError) this.metrics.webhookEvent(method.toLowerCase(), 'rejected');
      throw error;
    }
  }
}
