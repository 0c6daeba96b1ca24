import { Injectable } from '@nestjs/common';
import type { ProductStatus } from '../generated/prisma/enums.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { InvalidInputError, type FieldError } from '../common/errors/domain-errors.js';
import { whyNotSellable } from '../products/sellability.js';
import type { CartLineDto, CartQuoteResponse } from './dto/cart.dto.js';

interface VariantRow {
  variantId: string;
  sku: string;
  variantName: string;
  priceMinor: number;
  currency: string;
  active: boolean;
  productId: string;
  productName: string;
  productStatus: ProductStatus;
  availableFrom: Date | null;
  available: number;
}

/**
 * Prices a basket against the live catalogue without holding anything: a quote is advice, checkout re-checks under
 * row locks. Lines that cannot be bought at all are input errors naming the line; short stock is reported per line.
 */
@Injectable()
export class CartService {
  constructor(private readonly prisma: PrismaService) {}

  async quote(lines: CartLineDto[]): Promise<CartQuoteResponse> {
    const ids = [...new Set(lines.map((l) => l.variantId))];
    const rows = await this.prisma.$queryRaw<VariantRow[]>`
      SELECT v.id::text AS "variantId", v.sku, v.name AS "variantName", v.price_minor AS "priceMinor", v.currency, v.active,
             p.id::text AS "productId", p.name AS "productName", p.status::text AS "productStatus", p.available_from AS "availableFrom",
             COALESCE(il.on_hand - il.reserved, 0) AS available
      FROM variants v JOIN products p ON p.id = v.product_id LEFT JOIN inventory_levels il ON il.variant_id = v.id
      WHERE v.id = ANY(${ids}::uuid[])`;
    const variants = new Map(rows.map((r) => [r.variantId, r]));

    const now = new Date();
    const unsellable = lines.flatMap((line, i): FieldError[] => {
      const problem = whyNotSellable(variants.get(line.variantId), line.variantId, now, 'is no longer sold');
      return problem ? [{ field: `items.${i}.variantId`, errors: [problem] }] : [];
    });
    if (unsellable.length) throw new InvalidInputError(`Cannot quote ${unsellable.map((p) => p.field).join(', ')}`, unsellable);

    const currency = variants.get(lines[0].variantId)!.currency;
    const otherCurrency = lines.flatMap((line, i): FieldError[] => {
      const { currency: c } = variants.get(line.variantId)!;
      return c === currency ? [] : [{ field: `items.${i}.variantId`, errors: [`priced in ${c} while the cart is in ${currency}`] }];
    });
    if (otherCurrency.length) throw new InvalidInputError('A cart can hold items of one currency only', otherCurrency);

    const demand = new Map<string, number>();
    for (const line of lines) demand.set(line.variantId, (demand.get(line.variantId) ?? 0) + line.quantity);
    const items = lines.map((line) => {
      const v = variants.get(line.variantId)!;
      return {
        variantId: v.variantId, sku: v.sku, productId: v.productId, productName: v.productName, variantName: v.variantName,
        quantity: line.quantity, unitPriceMinor: v.priceMinor, lineTotalMinor: v.priceMinor * line.quantity,
        available: v.available, inStock: demand.get(v.variantId)! <= v.available,
      };
    });
    return { currency, items, totalMinor: items.reduce((sum, l) => sum + l.lineTotalMinor, 0), allInStock: items.every((l) => l.inStock) };
  }
}
