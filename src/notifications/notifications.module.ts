import { Module } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module.js';
import { BrandsModule } from '../brands/brands.module.js';
import { OutboundTargetsModule } from '../common/net/outbound-targets.module.js';
import { OutboxDestination } from '../outbox/outbox-destination.js';
import { NotificationsService } from './notifications.service.js';
import { NotificationSettingsController } from './notification-settings.controller.js';

/**
 * Customer notifications: an outbox destination (the outbox finds it through its OutboxDestination port), and the
 * admin routes of the brand's notification settings.
 */
@Module({
  imports: [SettingsModule, BrandsModule, OutboundTargetsModule],
  controllers: [NotificationSettingsController],
  providers: [NotificationsService, { provide: OutboxDestination, useExisting: NotificationsService }],
  exports: [NotificationsService],
})
export class NotificationsModule {}
