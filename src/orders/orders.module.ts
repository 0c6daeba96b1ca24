import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module.js';
import { DropsModule } from '../drops/drops.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { LiveModule } from '../live/live.module.js';
import { MetricsModule } from '../ops/metrics.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { OrderTransitionsModule } from './order-transitions.module.js';
import { CheckoutService } from './checkout.service.js';
import { OrdersService } from './orders.service.js';
import { OrdersController } from './orders.controller.js';
import { ReservationExpiryJob } from './reservation-expiry.job.js';
import { ReturnsService } from './returns.service.js';
import { ReturnsController } from './returns.controller.js';
import { OrdersLiveController } from './orders-live.controller.js';
import { OrderLive } from './order-live.service.js';
import { OrderTracking } from './order-tracking.service.js';

/** Checkout, the orders API, returns and reservation expiry. Payments are reached through the PaymentGateway port. */
@Module({
  imports: [
    AuditModule,
    BrandsModule,
    DropsModule,
    IdempotencyModule,
    InventoryModule,
    LiveModule,
    MetricsModule,
    OrderTransitionsModule,
    SettingsModule,
  ],
  controllers: [OrdersController, ReturnsController, OrdersLiveController],
  providers: [CheckoutService, OrdersService, ReturnsService, ReservationExpiryJob, OrderLive, OrderTracking],
  exports: [OrderTransitionsModule],
})
export class OrdersModule {}
