import { Global, Module } from '@nestjs/common';
import { CryptoModule } from '../common/crypto/crypto.module.js';
import { SettingsController } from './settings.controller.js';
import { BrandController } from './brand.controller.js';
import { SettingsService } from './settings.service.js';

/** Global: checkout, payments, notifications and the catalogue read brand settings. */
@Global()
@Module({ imports: [CryptoModule], controllers: [SettingsController, BrandController], providers: [SettingsService], exports: [SettingsService] })
export class SettingsModule {}
