import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { OrderTransitionsModule } from './order-transitions.module.js';
import { CheckoutService } from './checkout.service.js';
import { OrdersService } from './orders.service.js';
import { OrdersController } from './orders.controller.js';
import { ReservationExpiryJob } from './reservation-expiry.job.js';
import { ReturnsService } from './returns.service.js';
import { ReturnsController } from './returns.controller.js';

@Module({
  imports: [InventoryModule, OrderTransitionsModule, PaymentsModule],
  controllers: [OrdersController, ReturnsController],
  providers: [CheckoutService, OrdersService, ReturnsService, ReservationExpiryJob],
  exports: [OrderTransitionsModule],
})
export class OrdersModule {}
