import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';
import { VariantsController } from './variants.controller.js';

@Module({ imports: [AuditModule, InventoryModule, SettingsModule], controllers: [ProductsController, VariantsController], providers: [ProductsService], exports: [ProductsService] })
export class ProductsModule {}
