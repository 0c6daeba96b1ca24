import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { StockAlerts } from '../inventory/stock-alerts.js';
import { OutboxController } from './outbox.controller.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxService } from './outbox.service.js';
import { OutboxStockAlerts } from './outbox-stock-alerts.js';

/**
 * The transactional outbox: enqueue inside the writer's transaction, deliver with the dispatcher. Destinations
 * (notification channels, brand webhook endpoints) implement OutboxDestination in their own modules; stock alerts
 * arrive through inventory's StockAlerts port, implemented here.
 */
@Module({
  imports: [AuditModule, BrandsModule],
  controllers: [OutboxController],
  providers: [OutboxService, OutboxDispatcher, { provide: StockAlerts, useClass: OutboxStockAlerts }],
  exports: [OutboxService],
})
export class OutboxModule {}
