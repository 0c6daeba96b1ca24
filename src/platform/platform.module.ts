import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { BrandsModule } from '../brands/brands.module.js';
import { PlatformController } from './platform.controller.js';
import { PlatformService } from './platform.service.js';

/** Platform mode: the platform admin's brand list, suspension and host names. */
@Module({
  imports: [AuditModule, BrandsModule],
  controllers: [PlatformController],
  providers: [PlatformService],
})
export class PlatformModule {}
