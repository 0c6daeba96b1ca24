import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DropsModule } from '../drops/drops.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { MetricsModule } from '../ops/metrics.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { OrderAnnouncements } from './order-announcements.js';
import { OrderTransitionsService } from './order-transitions.service.js';

/**
 * The state-machine service on its own, for modules that move orders (payments) without the orders API: payments
 * import this and orders never import payments.
 */
@Module({
  imports: [AuditModule, DropsModule, InventoryModule, MetricsModule, OutboxModule],
  providers: [OrderTransitionsService, OrderAnnouncements],
  exports: [OrderTransitionsService, OrderAnnouncements],
})
export class OrderTransitionsModule {}
