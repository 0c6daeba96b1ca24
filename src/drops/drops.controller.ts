import { Body, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { DropsService } from './drops.service.js';
import { AccessListUploadDto, AccessListUploadResponse, CreateDropDto, DropResponse, UpdateDropDto } from './dto/drops.dto.js';

const DropId = () => Param('id', new ParseUUIDPipe({ version: '4', errorHttpStatusCode: HttpStatus.NOT_FOUND }));

@AdminController('admin/drops', 'drops')
export class DropsController {
  constructor(private readonly drops: DropsService) {}

  @Get()
  @ApiOperation({ operationId: 'listDrops', summary: 'Drops, latest start first, with live sold / remaining / waitlist counts' })
  @ApiOkResponse({ type: [DropResponse] })
  list(): Promise<DropResponse[]> {
    return this.drops.list();
  }

  @Post()
  @ApiOperation({ operationId: 'createDrop', summary: 'Schedule a drop of some products or variants (audited)' })
  @ApiCreatedResponse({ type: DropResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  create(@Body() dto: CreateDropDto, @CurrentActor() actor: Actor): Promise<DropResponse> {
    return this.drops.create(dto, actor);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getDrop', summary: 'One drop with its live counts per variant' })
  @ApiOkResponse({ type: DropResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@DropId() id: string): Promise<DropResponse> {
    return this.drops.get(id);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateDrop', summary: 'Change a drop’s times, limits, access code or variants (audited)' })
  @ApiOkResponse({ type: DropResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  update(@DropId() id: string, @Body() dto: UpdateDropDto, @CurrentActor() actor: Actor): Promise<DropResponse> {
    return this.drops.update(id, dto, actor);
  }

  @Post(':id/end')
  @HttpCode(200)
  @ApiOperation({ operationId: 'endDrop', summary: 'End a running drop now: no further checkouts of its variants (audited)' })
  @ApiOkResponse({ type: DropResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Not started yet, or already ended' })
  end(@DropId() id: string, @CurrentActor() actor: Actor): Promise<DropResponse> {
    return this.drops.end(id, actor);
  }

  @Post(':id/access-list')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'uploadDropAccessList',
    summary: 'Add (or replace) the early-access list from CSV text: phones and emails, one customer per line (audited)',
  })
  @ApiOkResponse({ type: AccessListUploadResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  uploadAccessList(
    @DropId() id: string,
    @Body() dto: AccessListUploadDto,
    @CurrentActor() actor: Actor,
  ): Promise<AccessListUploadResponse> {
    return this.drops.uploadAccessList(id, dto, actor);
  }
}
