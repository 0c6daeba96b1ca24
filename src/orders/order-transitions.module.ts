import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { OrderTransitionsService } from './order-transitions.service.js';

/**
 * The state-machine service on its own, for modules that move orders (payments, returns) without depending on the
 * orders API: OrderTransitionsModule ← PaymentsModule ← OrdersModule, no cycle.
 */
@Module({ imports: [InventoryModule], providers: [OrderTransitionsService], exports: [OrderTransitionsService] })
export class OrderTransitionsModule {}
