import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { LiveModule } from '../live/live.module.js';
import { DropCatalog } from './drop-catalog.js';
import { DropCheckout } from './drop-checkout.js';
import { DropsController } from './drops.controller.js';
import { DropsService } from './drops.service.js';

/**
 * Drops (README "Drops"): scheduled sales with early access, per-customer limits and a waitlist. Checkout asks
 * DropCheckout what a cart may take and lets it count the customer's units inside its transaction.
 */
@Module({
  imports: [AuditModule, LiveModule],
  controllers: [DropsController],
  providers: [DropCatalog, DropCheckout, DropsService],
  exports: [DropCatalog, DropCheckout],
})
export class DropsModule {}
