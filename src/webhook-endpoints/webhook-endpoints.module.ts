import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CryptoModule } from '../common/crypto/crypto.module.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookTargets } from './webhook-targets.js';

const webhookTargets = {
  provide: WebhookTargets,
  inject: [ConfigService],
  useFactory: (config: ConfigService<EnvironmentVariables, true>) => new WebhookTargets(config.get('WEBHOOK_ALLOW_PRIVATE_TARGETS', { infer: true })),
};

@Module({ imports: [CryptoModule], controllers: [WebhookEndpointsController], providers: [WebhookEndpointsService, webhookTargets], exports: [WebhookEndpointsService] })
export class WebhookEndpointsModule {}
