import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentActor, CurrentUser, OptionalAuth, Roles, type AuthUser } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import {
  CreateProductDto,
  CreateVariantDto,
  IdParam,
  ListProductsQueryDto,
  ProductPageResponse,
  ProductResponse,
  UpdateProductDto,
  VariantResponse,
} from './dto/products.dto.js';
import { ProductsService } from './products.service.js';
import type { CachedRead } from './product-read-cache.js';
import type { CatalogueViewer } from './product-views.js';

const viewerOf = (user: AuthUser | undefined): CatalogueViewer => ({ admin: user?.role === 'ADMIN' });

const ETAG_HEADERS = {
  ETag: { description: 'Entity tag of the body; send it back in If-None-Match to revalidate', schema: { type: 'string' } },
  'Cache-Control': { description: 'no-cache: revalidate on every use (stock changes by the second)', schema: { type: 'string' } },
};
const NOT_MODIFIED = 'Not modified: If-None-Match named the current entity tag (no body)';

/**
 * Catalogue reads carry the entity tag of their body and ask clients to revalidate every time (stock changes by the
 * second): a client that sends it back in If-None-Match gets 304 Not Modified without the body (Express answers it).
 * The body is the read's JSON as serialised once when it was read (most reads come from the cache), not serialised
 * again per request.
 */
function sendRevalidated(res: Response, read: CachedRead<unknown>): void {
  res.setHeader('ETag', read.etag);
  res.setHeader('Cache-Control', 'no-cache');
  res.type('json').send(read.body);
}

@ApiTags('products')
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @OptionalAuth()
  @Get()
  @ApiOperation({ operationId: 'listProducts', summary: 'Browse active products, newest first (admins may include archived ones)' })
  @ApiOkResponse({ type: ProductPageResponse, headers: ETAG_HEADERS })
  @ApiResponse({ status: 304, description: NOT_MODIFIED })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'includeArchived without the ADMIN role' })
  async list(@Query() query: ListProductsQueryDto, @Res() res: Response, @CurrentUser() user?: AuthUser): Promise<void> {
    sendRevalidated(res, await this.products.listRead(query, viewerOf(user)));
  }

  @OptionalAuth()
  @Get(':id')
  @ApiOperation({ operationId: 'getProduct', summary: 'One product by id or slug (archived ones only for admins)' })
  @ApiParam({ name: 'id', description: 'The product id (UUID) or its slug', example: 'indigo-block-print-kurta' })
  @ApiOkResponse({ type: ProductResponse, headers: ETAG_HEADERS })
  @ApiResponse({ status: 304, description: NOT_MODIFIED })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@Param('id') idOrSlug: string, @Res() res: Response, @CurrentUser() user?: AuthUser): Promise<void> {
    sendRevalidated(res, await this.products.getRead(idOrSlug, viewerOf(user)));
  }

  @Roles('ADMIN')
  @ApiBearerAuth()
  @Post()
  @ApiOperation({ operationId: 'createProduct', summary: 'Create a product with its variants and opening stock' })
  @ApiCreatedResponse({ type: ProductResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Slug or SKU already in use' })
  @ApiBody({
    type: CreateProductDto,
    examples: {
      kurta: {
        summary: 'A product with two sizes and opening stock',
        value: {
          name: 'Indigo Block-Print Kurta',
          category: 'apparel',
          images: ['https://images.example.com/kurta.jpg'],
          variants: [
            { sku: 'KURTA-IND-M', name: 'Size M', attributes: { size: 'M' }, priceMinor: 189900, currency: 'INR', initialStock: 25 },
            { sku: 'KURTA-IND-L', name: 'Size L', attributes: { size: 'L' }, priceMinor: 189900, currency: 'INR', initialStock: 10 },
          ],
        },
      },
    },
  })
  create(@Body() dto: CreateProductDto, @CurrentActor() actor: Actor): Promise<ProductResponse> {
    return this.products.create(dto, actor);
  }

  @Roles('ADMIN')
  @ApiBearerAuth()
  @Patch(':id')
  @ApiOperation({ operationId: 'updateProduct', summary: 'Edit product fields (status ACTIVE restores an archived product)' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Slug already in use' })
  update(@Param() { id }: IdParam, @Body() dto: UpdateProductDto, @CurrentActor() actor: Actor): Promise<ProductResponse> {
    return this.products.update(id, dto, actor);
  }

  @Roles('ADMIN')
  @ApiBearerAuth()
  @Delete(':id')
  @ApiOperation({
    operationId: 'archiveProduct',
    summary: 'Archive a product: it leaves the catalogue and cannot be bought; orders keep their history',
  })
  @ApiOkResponse({ type: ProductResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  archive(@Param() { id }: IdParam, @CurrentActor() actor: Actor): Promise<ProductResponse> {
    return this.products.archive(id, actor);
  }

  @Roles('ADMIN')
  @ApiBearerAuth()
  @Post(':id/variants')
  @ApiOperation({ operationId: 'createVariant', summary: 'Add a variant (with optional opening stock) to a product' })
  @ApiCreatedResponse({ type: VariantResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'SKU already in use' })
  addVariant(@Param() { id }: IdParam, @Body() dto: CreateVariantDto, @CurrentActor() actor: Actor): Promise<VariantResponse> {
    return this.products.addVariant(id, dto, actor);
  }
}
