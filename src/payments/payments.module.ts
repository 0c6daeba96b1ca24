import { Module } from '@nestjs/common';
import { OrderTransitionsModule } from '../orders/order-transitions.module.js';
import { PaymentCredentialsSource } from './payment-credentials.js';
import { SettingsPaymentCredentialsSource } from './settings-credentials-source.js';
import { StripeProvider } from './providers/stripe.provider.js';
import { RazorpayProvider } from './providers/razorpay.provider.js';
import { CashOnDeliveryProvider } from './providers/cash-on-delivery.provider.js';
import { PaymentProviders } from './payment-providers.js';
import { PaymentLedger } from './payment-ledger.service.js';
import { PaymentTransactions } from './payment-transactions.js';
import { PaymentsService } from './payments.service.js';
import { RefundsService } from './refunds.service.js';
import { WebhooksService } from './webhooks.service.js';
import { PaymentRecoveryJob } from './payment-recovery.job.js';
import { PaymentsController } from './payments.controller.js';
import { WebhooksController } from './webhooks.controller.js';

/**
 * Payments and refunds. The only module that talks to payment providers; others see PaymentsService
 * (checkout's startPayment, delivery's recordCashOnDelivery).
 */
@Module({
  imports: [OrderTransitionsModule],
  controllers: [PaymentsController, WebhooksController],
  providers: [
    // Credentials set in /admin/settings override the STRIPE_* / RAZORPAY_* environment variables, field by field.
    { provide: PaymentCredentialsSource, useClass: SettingsPaymentCredentialsSource },
    StripeProvider, RazorpayProvider, CashOnDeliveryProvider, PaymentProviders,
    PaymentLedger, PaymentTransactions, PaymentsService, RefundsService, WebhooksService, PaymentRecoveryJob,
  ],
  exports: [PaymentsService],
})
export class PaymentsModule {}
