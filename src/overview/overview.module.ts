import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { OverviewController } from './overview.controller.js';
import { OverviewService } from './overview.service.js';

/** The console's overview: a few counts across orders, money, stock and deliveries. */
@Module({ imports: [InventoryModule], controllers: [OverviewController], providers: [OverviewService] })
export class OverviewModule {}
