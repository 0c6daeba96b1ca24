import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/http/access.js';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { ObjectStorage } from './object-storage.js';
import { IMAGE_TYPES } from './object-storage.js';

/**
 * Uploaded images, public (they are shown on the storefront). Served as what they were checked to be, never sniffed
 * by the browser, never as a page that could run script; their names are new UUIDs, so they are cached for good.
 */
@ApiTags('media')
@Controller('media')
export class MediaController {
  constructor(private readonly storage: ObjectStorage) {}

  @Public()
  @Get(':folder/:file')
  @ApiOperation({ operationId: 'getMedia', summary: 'An uploaded image (product images), by the path the upload answered' })
  @ApiProduces(...IMAGE_TYPES)
  @ApiOkResponse({ description: 'The image', schema: { type: 'string', format: 'binary' } })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@Param('folder') folder: string, @Param('file') file: string, @Res() res: Response): Promise<void> {
    const stored = await this.storage.get(`${folder}/${file}`);
    if (!stored) throw new NotFoundError('Media', `${folder}/${file}`.slice(0, 80));
    res.setHeader('Content-Type', stored.contentType);
    res.setHeader('Content-Length', String(stored.body.length));
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-site');
    res.end(stored.body);
  }
}
