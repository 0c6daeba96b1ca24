import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { LiveModule } from '../live/live.module.js';
import { StockLedger } from './stock-ledger.js';
import { InventoryController } from './inventory.controller.js';
import { InventoryService } from './inventory.service.js';

@Module({
  imports: [AuditModule, LiveModule],
  controllers: [InventoryController],
  providers: [StockLedger, InventoryService],
  exports: [StockLedger, InventoryService],
})
export class InventoryModule {}
