import { Body, Controller, Get, HttpCode, Param, Post, Put, type PipeTransform } from '@nestjs/common';
import { isBrandId } from '../common/context/brand-context.js';
import { InvalidInputError } from '../common/errors/domain-errors.js';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Actor } from '../common/actor.js';
import { CurrentActor, Roles } from '../common/http/access.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { PlatformBrandResponse, SetBrandHostsDto } from './dto/platform.dto.js';
import { PlatformService } from './platform.service.js';

/** Brand ids: any UUID (the default brand's, 00000000-…-0001, has no version, which ParseUUIDPipe refuses). */
const BRAND_ID: PipeTransform<string, string> = {
  transform(value: string) {
    if (!isBrandId(value)) throw new InvalidInputError('Validation failed: id', [{ field: 'id', errors: ['id must be a UUID'] }]);
    return value.toLowerCase();
  },
};

/** Platform mode: the platform admin's brand list and controls. Brand admins get 403; in single-brand mode, 404. */
@ApiTags('platform')
@ApiBearerAuth()
@Roles('PLATFORM_ADMIN')
@ApiUnauthorizedResponse({ type: ErrorResponse })
@ApiForbiddenResponse({ type: ErrorResponse, description: 'Not a platform admin' })
@Controller('platform/brands')
export class PlatformController {
  constructor(private readonly platform: PlatformService) {}

  @Get()
  @ApiOperation({ operationId: 'listPlatformBrands', summary: 'Every brand of the install, oldest first' })
  @ApiOkResponse({ type: [PlatformBrandResponse] })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'Platform mode is off' })
  list(): Promise<PlatformBrandResponse[]> {
    return this.platform.list();
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getPlatformBrand', summary: 'One brand' })
  @ApiOkResponse({ type: PlatformBrandResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@Param('id', BRAND_ID) id: string): Promise<PlatformBrandResponse> {
    return this.platform.get(id);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'suspendBrand',
    summary: 'Suspend a brand',
    description:
      "Its staff cannot sign in or act, its storefront, catalogue and checkout answer 403; its payment webhooks are still recorded. Audited in the brand's trail.",
  })
  @ApiOkResponse({ type: PlatformBrandResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The default brand cannot be suspended' })
  suspend(@Param('id', BRAND_ID) id: string, @CurrentActor() actor: Actor): Promise<PlatformBrandResponse> {
    return this.platform.setStatus(id, 'SUSPENDED', actor);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @ApiOperation({ operationId: 'reactivateBrand', summary: 'Reactivate a suspended brand', description: "Audited in the brand's trail." })
  @ApiOkResponse({ type: PlatformBrandResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  reactivate(@Param('id', BRAND_ID) id: string, @CurrentActor() actor: Actor): Promise<PlatformBrandResponse> {
    return this.platform.setStatus(id, 'ACTIVE', actor);
  }

  @Put(':id/hosts')
  @ApiOperation({
    operationId: 'setBrandHosts',
    summary: "Set the host names (custom domains) that serve a brand's public routes and storefront",
    description: "Point the domain's DNS at the install first. Audited in the brand's trail.",
  })
  @ApiOkResponse({ type: PlatformBrandResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'A host already serves another brand' })
  setHosts(@Param('id', BRAND_ID) id: string, @Body() dto: SetBrandHostsDto, @CurrentActor() actor: Actor): Promise<PlatformBrandResponse> {
    return this.platform.setHosts(id, dto.hosts, actor);
  }
}
