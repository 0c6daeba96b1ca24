import { Body, Get, Patch } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { SettingsResponse, UpdateSettingsDto } from './dto/settings.dto.js';
import { SettingsService } from './settings.service.js';

@AdminController('admin/settings', 'settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  @ApiOperation({ operationId: 'getSettings', summary: 'Brand settings; credentials only as { set, last4, source }' })
  @ApiOkResponse({ type: SettingsResponse })
  view(): Promise<SettingsResponse> {
    return this.settings.view();
  }

  @Patch()
  @ApiOperation({
    operationId: 'updateSettings',
    summary: 'Change brand settings; takes effect without a restart. Credentials are encrypted at rest; null clears a field',
  })
  @ApiOkResponse({ type: SettingsResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  update(@Body() body: UpdateSettingsDto, @CurrentActor() actor: Actor): Promise<SettingsResponse> {
    return this.settings.update(body, actor);
  }
}
