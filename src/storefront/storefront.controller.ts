import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/http/access.js';
import { PageRenderer } from './page-renderer.js';
import { storefrontBase, StorefrontService } from './storefront.service.js';
import { themeCss, themeVersion } from './theme.js';
import type { ShopRoute } from './shop-data.js';

/**
 * The hosted storefront's pages (HTML, not API: left out of the OpenAPI document): /shop, /shop/:slug, /checkout,
 * /pay/:orderId and /track, each rendered on the server with its content, so a shared link shows the product — title,
 * price, image — with or without JavaScript; and the brand's colours as a stylesheet.
 */
@ApiExcludeController()
@Public()
@Controller()
export class StorefrontController {
  constructor(
    private readonly storefront: StorefrontService,
    private readonly renderer: PageRenderer,
  ) {}

  @Get('shop')
  grid(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(req, res, { page: 'grid' });
  }

  /** The brand colour as CSS custom properties; its URL carries a version of the colour, so it is cached for a year. */
  @Get('shop/theme.css')
  async theme(@Req() req: Request, @Res() res: Response): Promise<void> {
    const brand = await this.storefront.storefrontFor(req);
    res.type('text/css');
    res.setHeader(
      'Cache-Control',
      brand.brandColor && req.query.v === themeVersion(brand.brandColor) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    res.send(brand.brandColor ? themeCss(brand.brandColor) : '/* the default colours (ui/src/tokens.css) */\n');
  }

  @Get('shop/:slug')
  product(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(req, res, { page: 'product', slug });
  }

  @Get('checkout')
  checkout(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(req, res, { page: 'checkout' });
  }

  @Get('pay/:orderId')
  pay(@Param('orderId') orderId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(req, res, { page: 'pay', orderId: orderId.toLowerCase() });
  }

  @Get('track')
  track(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(req, res, { page: 'track' });
  }

  private async send(req: Request, res: Response, route: ShopRoute): Promise<void> {
    const page = await this.storefront.page(req, route);
    const color = page.data.brand.brandColor;
    const html = await this.renderer.render(
      page.data,
      page.head,
      color ? `${storefrontBase()}/shop/theme.css?v=${themeVersion(color)}` : undefined,
    );
    if (html === undefined) {
      res.status(404).json({ statusCode: 404, error: 'Not Found', message: 'The web UI is not built: run npm run build' });
      return;
    }
    res.status(page.status);
    res.setHeader('Cache-Control', 'no-cache');
    // The page is formatted for the reader's language.
    res.setHeader('Vary', 'Accept-Language');
    res.type('html').send(html);
  }
}
