import { Module } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module.js';
import { OutboxDestination } from '../outbox/outbox-destination.js';
import { NotificationsService } from './notifications.service.js';

/** Customer notifications: an outbox destination (the outbox finds it through its OutboxDestination port). */
@Module({
  imports: [SettingsModule],
  providers: [NotificationsService, { provide: OutboxDestination, useExisting: NotificationsService }],
  exports: [NotificationsService],
})
export class NotificationsModule {}
