import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { OrderTransitionsService } from './order-transitions.service.js';

@Module({ imports: [InventoryModule], providers: [OrderTransitionsService], exports: [OrderTransitionsService] })
export class OrdersModule {}
