import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditModule } from '../audit/audit.module.js';
import { CryptoModule } from '../common/crypto/crypto.module.js';
import { OutboxDestination } from '../outbox/outbox-destination.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookTargets, type WebhookTargetEnvironment } from './webhook-targets.js';

const webhookTargets = {
  provide: WebhookTargets,
  inject: [ConfigService],
  useFactory: (config: ConfigService<WebhookTargetEnvironment, true>) =>
    new WebhookTargets(config.get('WEBHOOK_ALLOW_PRIVATE_TARGETS', { infer: true })),
};

/** Brand webhook endpoints: an outbox destination (the outbox finds it through its OutboxDestination port). */
@Module({
  imports: [AuditModule, CryptoModule],
  controllers: [WebhookEndpointsController],
  providers: [WebhookEndpointsService, webhookTargets, { provide: OutboxDestination, useExisting: WebhookEndpointsService }],
  exports: [WebhookEndpointsService],
})
export class WebhookEndpointsModule {}
