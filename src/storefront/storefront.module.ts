import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { PageRenderer } from './page-renderer.js';
import { StorefrontController } from './storefront.controller.js';
import { StorefrontService } from './storefront.service.js';

/** The hosted storefront's server-rendered pages. It reads the catalogue, the brand and the payment methods. */
@Module({
  imports: [ProductsModule, PaymentsModule, SettingsModule],
  controllers: [StorefrontController],
  providers: [StorefrontService, PageRenderer],
})
export class StorefrontModule {}
