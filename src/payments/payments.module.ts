import { BrandsModule } from '../brands/brands.module.js';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { MetricsModule } from '../ops/metrics.module.js';
import { OrderTransitionsModule } from '../orders/order-transitions.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { PaymentCredentialsSource } from './payment-credentials.js';
import { SettingsPaymentCredentialsSource } from './settings-credentials-source.js';
import { PaymentGateway } from '../orders/payment-gateway.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentsGateway } from './payments-gateway.js';
import { PaymentLedger } from './payment-ledger.service.js';
import { PaymentTransactions } from './payment-transactions.js';
import { PaymentsService } from './payments.service.js';
import { RefundsService } from './refunds.service.js';
import { WebhooksService } from './webhooks.service.js';
import { PaymentRecoveryJob } from './payment-recovery.job.js';
import { PaymentsController } from './payments.controller.js';
import { WebhooksController } from './webhooks.controller.js';

/**
 * Payments and refunds: the registered providers (providers/), captures, refunds and webhooks. The only module that
 * talks to payment providers; orders see it through their PaymentGateway port.
 */
@Module({
  imports: [AuditModule, BrandsModule, IdempotencyModule, MetricsModule, OrderTransitionsModule, SettingsModule],
  controllers: [PaymentsController, WebhooksController],
  providers: [
    // Credentials set in /admin/settings override the STRIPE_* / RAZORPAY_* environment variables, field by field.
    { provide: PaymentCredentialsSource, useClass: SettingsPaymentCredentialsSource },
    // Orders reach payments only through their PaymentGateway port, implemented here.
    { provide: PaymentGateway, useClass: PaymentsGateway },
    PaymentProviders,
    PaymentLedger,
    PaymentTransactions,
    PaymentsService,
    RefundsService,
    WebhooksService,
    PaymentRecoveryJob,
  ],
  // For the storefront's checkout page (the enabled methods and their public keys).
  exports: [PaymentsService],
})
export class PaymentsModule {}
