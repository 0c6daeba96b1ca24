import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { raw } from 'express';
import { AuditModule } from '../audit/audit.module.js';
import { InventoryModule } from '../inventory/inventory.module.js';
import { LiveModule } from '../live/live.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { CatalogueLiveController } from './catalogue-live.controller.js';
import { CatalogueLive } from './catalogue-live.service.js';
import { ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';
import { ProductReadCache } from './product-read-cache.js';
import { VariantsController } from './variants.controller.js';
import { StorageModule } from '../storage/storage.module.js';
import { IMAGE_TYPES } from '../storage/object-storage.js';
import { ProductImagesController } from './product-images.controller.js';
import { MAX_IMAGE_BYTES, ProductImagesService } from './product-images.service.js';

@Module({
  imports: [AuditModule, InventoryModule, LiveModule, SettingsModule, StorageModule],
  controllers: [ProductsController, VariantsController, CatalogueLiveController, ProductImagesController],
  providers: [ProductsService, ProductReadCache, CatalogueLive, ProductImagesService],
  exports: [ProductsService],
})
export class ProductsModule implements NestModule {
  /** Image uploads arrive as the raw bytes (the app's own parsers read JSON and forms only). */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(raw({ type: IMAGE_TYPES, limit: MAX_IMAGE_BYTES }))
      .forRoutes({ path: 'products/:id/images', method: RequestMethod.POST });
  }
}
