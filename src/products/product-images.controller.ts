import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentActor, Roles } from '../common/http/access.js';
import type { Actor } from '../common/actor.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { IMAGE_TYPES } from '../storage/object-storage.js';
import { IdParam, ProductResponse } from './dto/products.dto.js';
import { ProductImagesService } from './product-images.service.js';

@ApiTags('products')
@Controller('products/:id/images')
export class ProductImagesController {
  constructor(private readonly images: ProductImagesService) {}

  @Roles('ADMIN')
  @ApiBearerAuth()
  @Post()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'uploadProductImage',
    summary: 'Upload a product image (admin)',
    description:
      'The body is the image itself (JPEG, PNG, WebP or GIF, up to 5 MB; its bytes decide the type, not the header). It is stored ' +
      'and added at the end of the product’s images as /media/products/<uuid>.<ext>; reorder or remove with PATCH /products/{id}.',
  })
  @ApiConsumes(...IMAGE_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: ProductResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Not an image, or the product has 20 images' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  upload(@Param() { id }: IdParam, @Req() req: Request, @CurrentActor() actor: Actor): Promise<ProductResponse> {
    return this.images.upload(id, req.body, actor);
  }
}
