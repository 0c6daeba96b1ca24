import { Global, Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { WebhookEndpointsModule } from '../webhook-endpoints/webhook-endpoints.module.js';
import { OutboxController } from './outbox.controller.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxService } from './outbox.service.js';

/** Global: orders and the stock ledger enqueue events inside their own transactions. */
@Global()
@Module({
  imports: [NotificationsModule, WebhookEndpointsModule],
  controllers: [OutboxController],
  providers: [OutboxService, OutboxDispatcher],
  exports: [OutboxService],
})
export class OutboxModule {}
