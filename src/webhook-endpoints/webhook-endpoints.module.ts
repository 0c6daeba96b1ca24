import { Module } from '@nestjs/common';
import { CryptoModule } from '../common/crypto/crypto.module.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

@Module({ imports: [CryptoModule], controllers: [WebhookEndpointsController], providers: [WebhookEndpointsService], exports: [WebhookEndpointsService] })
export class WebhookEndpointsModule {}
