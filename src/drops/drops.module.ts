import { BrandsModule } from '../brands/brands.module.js';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { LiveModule } from '../live/live.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { StockAlerts } from '../inventory/stock-alerts.js';
import { WaitlistController } from './waitlist.controller.js';
import { WaitlistService } from './waitlist.service.js';
import { DropAdmission } from './drop-admission.js';
import { DropCatalog } from './drop-catalog.js';
import { DropCheckout } from './drop-checkout.js';
import { DropOrderClaims } from './drop-order-claims.js';
import { DropsController } from './drops.controller.js';
import { DropsService } from './drops.service.js';

/**
 * Drops (README "Drops"): scheduled sales with early access, per-customer limits and a waitlist. Checkout asks
 * DropCheckout what a cart may take and lets it count the customer's units inside its transaction.
 */
@Module({
  imports: [AuditModule, BrandsModule, LiveModule, OutboxModule],
  controllers: [DropsController, WaitlistController],
  providers: [
    DropAdmission,
    DropCatalog,
    DropCheckout,
    DropOrderClaims,
    DropsService,
    WaitlistService,
    { provide: StockAlerts, useExisting: WaitlistService },
  ],
  exports: [DropAdmission, DropCatalog, DropCheckout, DropOrderClaims],
})
export class DropsModule {}
