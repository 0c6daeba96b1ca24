import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { LiveModule } from '../live/live.module.js';
import { OrderTransitionsModule } from './order-transitions.module.js';
import { CheckoutService } from './checkout.service.js';
import { OrdersService } from './orders.service.js';
import { OrdersController } from './orders.controller.js';
import { ReservationExpiryJob } from './reservation-expiry.job.js';
import { OrdersLiveController } from './orders-live.controller.js';
import { OrderLive } from './order-live.service.js';
import { OrderTracking } from './order-tracking.service.js';

@Module({
  imports: [InventoryModule, OrderTransitionsModule, PaymentsModule, LiveModule],
  controllers: [OrdersController, OrdersLiveController],
  providers: [CheckoutService, OrdersService, ReservationExpiryJob, OrderLive, OrderTracking],
  exports: [OrderTransitionsModule],
})
export class OrdersModule {}
