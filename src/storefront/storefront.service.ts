import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { SettingsService, type BrandProfile } from '../settings/settings.service.js';
import { ProductsService } from '../products/products.service.js';
import { PaymentsService } from '../payments/payments.service.js';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { UUID_PATTERN } from '../common/uuid.js';
import { isoExponent } from '../payments/currency.js';
import type { ProductResponse } from '../products/dto/products.dto.js';
import { RequestContext } from '../common/context/request-context.js';
import type { PageHead, ShopData, ShopPage, ShopRoute } from './shop-data.js';

/** Products on the shop's front page (newest first). */
const GRID_SIZE = 48;
const PUBLIC = { admin: false };

/** 189900 INR → "1899.00": the decimal amount Open Graph's product:price:amount takes, built without floating point. */
export function minorToDecimal(minor: number, currency: string): string {
  const exponent = isoExponent(currency);
  const digits = Math.abs(minor)
    .toString()
    .padStart(exponent + 1, '0');
  return `${minor < 0 ? '-' : ''}${exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits}`;
}

/** The first locale of Accept-Language that this server can format in; else one suiting the brand's currency. */
export function pageLocale(acceptLanguage: string | undefined, brand: Pick<BrandProfile, 'defaultCurrency'>): string {
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part) => part.split(';')[0].trim())
    .filter((tag) => /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag))
    .slice(0, 8);
  for (const tag of wanted) {
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(tag);
      if (supported) return Intl.getCanonicalLocales(supported)[0];
    } catch {
      // Not a locale after all.
    }
  }
  return brand.defaultCurrency === 'INR' ? 'en-IN' : 'en';
}

/**
 * The brand path prefix the request came in under (`/b/<slug>`, platform mode) or '': decided once, by the brand
 * resolution (src/ops/request-brand.ts), and the start of every storefront link and of the page's own URL.
 */
export function storefrontBase(): string {
  return RequestContext.get()?.basePath ?? '';
}

/**
 * What each storefront page shows. Every public storefront request goes through `storefrontFor`, the brand the
 * request was resolved to (by the brand resolution: path prefix, host or the install's one brand).
 */
@Injectable()
export class StorefrontService {
  constructor(
    private readonly settings: SettingsService,
    private readonly products: ProductsService,
    private readonly payments: PaymentsService,
  ) {}

  /** The brand this request's storefront belongs to. */
  storefrontFor(_req: Request): Promise<BrandProfile> {
    return this.settings.brand();
  }

  async page(req: Request, route: ShopRoute): Promise<ShopPage> {
    const brand = await this.storefrontFor(req);
    const prefix = storefrontBase();
    const base: ShopData = {
      route,
      brand,
      base: prefix,
      locale: pageLocale(req.headers['accept-language'], brand),
      serverTime: new Date().toISOString(),
    };
    const origin = `${req.protocol}://${req.get('host')}`;
    const absolute = (url: string) => (url.startsWith('/') ? `${origin}${url}` : url);
    const site = (title: string, description: string): PageHead => ({
      title,
      description,
      url: `${origin}${prefix}${req.path}`,
      kind: 'website',
      ...(brand.logoUrl && { image: absolute(brand.logoUrl) }),
    });
    const privatePage = (title: string): PageHead => ({
      title: `${title} — ${brand.name}`,
      description: `${brand.name}: ${title.toLowerCase()}.`,
      kind: 'private',
    });

    switch (route.page) {
      case 'grid': {
        const page = await this.products.list({ page: 1, limit: GRID_SIZE }, PUBLIC);
        return {
          status: 200,
          data: { ...base, products: page.items },
          head: site(
            brand.name,
            `Shop ${brand.name} online: ${page.items
              .slice(0, 3)
              .map((p) => p.name)
              .join(', ')}`,
          ),
        };
      }
      case 'product': {
        const product = await this.products.get(route.slug, PUBLIC).catch((error: unknown) => {
          if (error instanceof NotFoundError) return null;
          throw error;
        });
        if (!product) return { status: 404, data: { ...base, product: null }, head: privatePage('Not found') };
        return { status: 200, data: { ...base, product }, head: productHead(product, brand, origin, absolute, prefix + req.path) };
      }
      case 'checkout':
        return { status: 200, data: { ...base, paymentOptions: await this.payments.enabledOptions() }, head: privatePage('Checkout') };
      case 'pay':
        if (!UUID_PATTERN.test(route.orderId))
          return { status: 404, data: { ...base, route: { page: 'not-found' } }, head: privatePage('Not found') };
        return { status: 200, data: base, head: privatePage('Your order') };
      case 'track':
        return {
          status: 200,
          data: base,
          head: site(`Track your order — ${brand.name}`, `Track your ${brand.name} order with its number and your phone number.`),
        };
      default:
        return { status: 404, data: base, head: privatePage('Not found') };
    }
  }
}

/** A product's first image. Rows written outside the API may hold NULL images, whatever the generated type says. */
const firstImage = (product: { images: readonly string[] | null }): string | undefined => product.images?.[0];

function productHead(
  product: ProductResponse,
  brand: BrandProfile,
  origin: string,
  absolute: (url: string) => string,
  path: string,
): PageHead {
  const cheapest = [...product.variants].sort((a, b) => a.priceMinor - b.priceMinor).at(0);
  const image = firstImage(product);
  const description = (product.description ?? `${product.name} from ${brand.name}`).replace(/\s+/g, ' ').trim().slice(0, 200);
  return {
    title: `${product.name} — ${brand.name}`,
    description,
    url: `${origin}${path}`,
    kind: 'product',
    ...(image && { image: absolute(image) }),
    ...(cheapest && { price: { amount: minorToDecimal(cheapest.priceMinor, cheapest.currency), currency: cheapest.currency } }),
  };
}
