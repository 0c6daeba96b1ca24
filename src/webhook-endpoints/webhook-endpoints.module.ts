import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { CryptoModule } from '../common/crypto/crypto.module.js';
import { OutboundTargetsModule } from '../common/net/outbound-targets.module.js';
import { OutboxDestination } from '../outbox/outbox-destination.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

/** Brand webhook endpoints: an outbox destination (the outbox finds it through its OutboxDestination port). */
@Module({
  imports: [AuditModule, CryptoModule, OutboundTargetsModule],
  controllers: [WebhookEndpointsController],
  providers: [WebhookEndpointsService, { provide: OutboxDestination, useExisting: WebhookEndpointsService }],
  exports: [WebhookEndpointsService],
})
export class WebhookEndpointsModule {}
