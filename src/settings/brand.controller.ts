import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/http/access.js';
import { BrandResponse } from './dto/settings.dto.js';
import { SettingsService } from './settings.service.js';

@ApiTags('settings')
@Controller('brand')
export class BrandController {
  constructor(private readonly settings: SettingsService) {}

  @Public()
  @Get()
  @ApiOperation({
    operationId: 'getBrand',
    summary: "The brand's public profile: name, logo, colour, support contact, currency (storefronts and apps)",
  })
  @ApiOkResponse({ type: BrandResponse })
  brand(): Promise<BrandResponse> {
    return this.settings.brand();
  }
}
