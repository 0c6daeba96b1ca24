import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
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
import type { CatalogueViewer } from './product-views.js';

const viewerOf = (user: AuthUser | undefined): CatalogueViewer => ({ admin: user?.role === 'ADMIN' });

@ApiTags('products')
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @OptionalAuth()
  @Get()
  @ApiOperation({ operationId: 'listProducts', summary: 'Browse active products, newest first (admins may include archived ones)' })
  @ApiOkResponse({ type: ProductPageResponse })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'includeArchived without the ADMIN role' })
  list(@Query() query: ListProductsQueryDto, @CurrentUser() user?: AuthUser): Promise<ProductPageResponse> {
    return this.products.list(query, viewerOf(user));
  }

  @OptionalAuth()
  @Get(':id')
  @ApiOperation({ operationId: 'getProduct', summary: 'One product by id or slug (archived ones only for admins)' })
  @ApiParam({ name: 'id', description: 'The product id (UUID) or its slug', example: 'indigo-block-print-kurta' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@Param('id') idOrSlug: string, @CurrentUser() user?: AuthUser): Promise<ProductResponse> {
    return this.products.get(idOrSlug, viewerOf(user));
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
