import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module.js';
import { ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';
import { VariantsController } from './variants.controller.js';

@Module({ imports: [InventoryModule], controllers: [ProductsController, VariantsController], providers: [ProductsService], exports: [ProductsService] })
export class ProductsModule {}
