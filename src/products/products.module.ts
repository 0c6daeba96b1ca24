import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { LiveModule } from '../live/live.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { CatalogueLiveController } from './catalogue-live.controller.js';
import { CatalogueLive } from './catalogue-live.service.js';
import { ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';
import { VariantsController } from './variants.controller.js';

@Module({
  imports: [AuditModule, InventoryModule, LiveModule, SettingsModule],
  controllers: [ProductsController, VariantsController, CatalogueLiveController],
  providers: [ProductsService, CatalogueLive],
  exports: [ProductsService],
})
export class ProductsModule {}
