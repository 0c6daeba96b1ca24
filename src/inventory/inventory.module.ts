import { Module } from '@nestjs/common';
import { StockLedger } from './stock-ledger.js';
import { InventoryController } from './inventory.controller.js';
import { InventoryService } from './inventory.service.js';

@Module({ controllers: [InventoryController], providers: [StockLedger, InventoryService], exports: [StockLedger] })
export class InventoryModule {}
