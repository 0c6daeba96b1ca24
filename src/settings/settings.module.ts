import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { CryptoModule } from '../common/crypto/crypto.module.js';
import { SettingsController } from './settings.controller.js';
import { BrandController } from './brand.controller.js';
import { SettingsService } from './settings.service.js';

/** Brand settings: read by checkout, payments, notifications, the catalogue and the storefront, which import this module. */
@Module({
  imports: [AuditModule, CryptoModule],
  controllers: [SettingsController, BrandController],
  providers: [SettingsService],
  exports: [SettingsService],
})
export class SettingsModule {}
