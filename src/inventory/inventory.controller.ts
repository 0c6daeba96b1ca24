import { Body, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import {
  AdjustInventoryDto,
  InventoryItemResponse,
  InventoryPageResponse,
  ListInventoryQueryDto,
  MovementPageResponse,
  MovementsQueryDto,
  VariantIdParam,
} from './dto/inventory.dto.js';
import { InventoryService } from './inventory.service.js';

@AdminController('inventory', 'inventory')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Get()
  @ApiOperation({ operationId: 'listInventory', summary: 'Stock per variant, by SKU; lowStock=true lists what needs reordering' })
  @ApiOkResponse({ type: InventoryPageResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@Query() query: ListInventoryQueryDto): Promise<InventoryPageResponse> {
    return this.inventory.list(query);
  }

  @Get(':variantId')
  @ApiOkResponse({ type: InventoryItemResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiOperation({ operationId: 'getInventoryItem', summary: 'Stock of one variant: on hand, reserved, available (admin)' })
  get(@Param() { variantId }: VariantIdParam): Promise<InventoryItemResponse> {
    return this.inventory.get(variantId);
  }

  @Patch(':variantId')
  @ApiOperation({
    operationId: 'adjustInventory',
    summary: 'Set on hand (onHand) or change it (delta), with a reason; recorded as an ADJUSTMENT movement',
  })
  @ApiOkResponse({ type: InventoryItemResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'On hand would go below what is reserved (or below zero)' })
  adjust(
    @Param() { variantId }: VariantIdParam,
    @Body() dto: AdjustInventoryDto,
    @CurrentActor() actor: Actor,
  ): Promise<InventoryItemResponse> {
    return this.inventory.adjust(variantId, dto, actor);
  }

  @Get(':variantId/movements')
  @ApiOperation({ operationId: 'listStockMovements', summary: 'The stock ledger of a variant, newest first' })
  @ApiOkResponse({ type: MovementPageResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  movements(@Param() { variantId }: VariantIdParam, @Query() query: MovementsQueryDto): Promise<MovementPageResponse> {
    return this.inventory.movements(variantId, query);
  }
}
