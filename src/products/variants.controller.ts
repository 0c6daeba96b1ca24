import { Body, Param, Patch } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AdminController, CurrentActor } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { IdParam, UpdateVariantDto, VariantResponse } from './dto/products.dto.js';
import { ProductsService } from './products.service.js';

@AdminController('variants', 'products')
export class VariantsController {
  constructor(private readonly products: ProductsService) {}

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateVariant',
    summary: 'Edit a variant: price, SKU, attributes, threshold, display order, or deactivate it (stock: PATCH /inventory)',
  })
  @ApiOkResponse({ type: VariantResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'SKU already in use' })
  update(@Param() { id }: IdParam, @Body() dto: UpdateVariantDto, @CurrentActor() actor: Actor): Promise<VariantResponse> {
    return this.products.updateVariant(id, dto, actor);
  }
}
