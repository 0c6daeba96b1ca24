import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { shortages } from '../inventory/stock-shortage.js';
import { priceCart, type CartLine } from './cart-pricing.js';
import type { CartQuoteResponse } from './dto/cart.dto.js';

/**
 * Prices a basket against the live catalogue without holding anything: a quote is advice, checkout re-checks under
 * row locks. Lines that cannot be bought at all are input errors naming the line; short stock is reported per line.
 */
@Injectable()
export class CartService {
  constructor(private readonly prisma: PrismaService) {}

  async quote(items: CartLine[]): Promise<CartQuoteResponse> {
    const cart = await priceCart(this.prisma, items);
    const short = new Set(shortages(cart.demand, cart.levels).map((s) => s.variantId));
    const lines = cart.lines.map((line) => {
      const level = cart.levels.get(line.variantId);
      return { ...line, available: level ? level.onHand - level.reserved : 0, inStock: !short.has(line.variantId) };
    });
    return { currency: cart.currency, items: lines, totalMinor: cart.totalMinor, allInStock: short.size === 0 };
  }
}
