import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/http/access.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { ApiEventStream } from '../live/live-docs.js';
import { CatalogueLive } from './catalogue-live.service.js';
import { CatalogueStreamQueryDto } from './dto/catalogue-live.dto.js';

@ApiTags('live')
@Controller('live')
export class CatalogueLiveController {
  constructor(private readonly catalogue: CatalogueLive) {}

  @Public()
  @Get('catalogue')
  @ApiOperation({ operationId: 'streamCatalogue', summary: 'Live stock and drop state of products (public; the storefront listens here)' })
  @ApiEventStream(
    'Events: `snapshot` {serverTime, products: [{productId, drop: {state: upcoming | open, opensAt}, variants: [{variantId, ' +
      'available}]}]} on connect (with `products`) and whenever ' +
      'changes may have been missed; `stock` {productId, variantId, available}; `product` {productId, updatedAt} (read the product again); ' +
      '`drop` {productId, state, opensAt} when a drop opens; `resync` {serverTime} (without `products`: read what you show again).',
  )
  @ApiBadRequestResponse({ type: ErrorResponse })
  stream(@Query() query: CatalogueStreamQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.catalogue.watch(req, res, query.products);
  }
}
