import { BrandsModule } from './brands/brands.module.js';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import './environment.js';
import { validateEnvironment } from './config/configuration.js';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter.js';
import { PrismaModule } from './prisma/prisma.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { OpsModule } from './ops/ops.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { HealthModule } from './health/health.module.js';
import { InventoryModule } from './inventory/inventory.module.js';
import { ProductsModule } from './products/products.module.js';
import { CartModule } from './cart/cart.module.js';
import { OrdersModule } from './orders/orders.module.js';
import { DropsModule } from './drops/drops.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { ShippingModule } from './shipping/shipping.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { WebhookEndpointsModule } from './webhook-endpoints/webhook-endpoints.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { StorefrontModule } from './storefront/storefront.module.js';
import { SecretsModule } from './secrets/secrets.module.js';
import { IdempotencyKeysModule } from './idempotency-keys/idempotency-keys.module.js';
import { StaffModule } from './staff/staff.module.js';
import { CustomersModule } from './customers/customers.module.js';
import { OverviewModule } from './overview/overview.module.js';
import { PlatformModule } from './platform/platform.module.js';

@Module({
  imports: [
    // Read when the app is created (not when this file is imported), from the one validated source; nothing reads
    // process.env behind it.
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validatePredefined: false,
      skipProcessEnv: true,
      cache: true,
      load: [() => ({ ...validateEnvironment(process.env) })],
    }),
    ScheduleModule.forRoot(),
    PrismaModule,
    IdempotencyModule,
    OpsModule,
    AuditModule,
    BrandsModule,
    AuthModule,
    HealthModule,
    InventoryModule,
    ProductsModule,
    CartModule,
    OrdersModule,
    DropsModule,
    PaymentsModule,
    ShippingModule,
    SettingsModule,
    NotificationsModule,
    WebhookEndpointsModule,
    OutboxModule,
    StaffModule,
    CustomersModule,
    OverviewModule,
    PlatformModule,
    StorefrontModule,
    SecretsModule,
    IdempotencyKeysModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
})
export class AppModule {}
