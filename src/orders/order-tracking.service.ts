import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService } from '../prisma/prisma.service.js';
import { NotFoundError } from '../common/errors/domain-errors.js';
import { trackingUrl, type TrackingUrlEnvironment } from './tracking-url.js';
import { nationalPhone, normalizeOrderNumber } from './dto/normalize.js';
import type { TrackingResponse, TrackOrderDto } from './dto/order.dto.js';

/** A number no order has: unknown and malformed order numbers still cost the same query as real ones. */
const NO_ORDER = 'OL-NONE';

/** The comparable part of a phone number, hashed so the comparison takes the same time whatever matches. */
const phoneKey = (phone: string) => createHash('sha256').update(nationalPhone(phone)).digest();

export function phonesMatch(stored: string, given: string): boolean {
  return timingSafeEqual(phoneKey(stored), phoneKey(given));
}

/**
 * Order tracking for customers (POST /orders/track): the order number plus the phone given at checkout. A wrong phone
 * and an unknown number get the same 404 after the same work, so an answer reveals nothing about which orders exist;
 * the route has the strict rate limit. The answer leaves out name, address and email.
 */
@Injectable()
export class OrderTracking {
  private readonly trackingUrlTemplate?: string;

  constructor(
    private readonly prisma: PrismaService,
    config: ConfigService<TrackingUrlEnvironment, true>,
  ) {
    this.trackingUrlTemplate = config.get('TRACKING_URL_TEMPLATE', { infer: true });
  }

  async track(dto: TrackOrderDto): Promise<TrackingResponse> {
    const order = await this.prisma.order.findUnique({
      where: { number: normalizeOrderNumber(dto.orderNumber) ?? NO_ORDER },
      include: { items: { select: { productName: true, variantName: true, quantity: true } } },
    });
    const matches = phonesMatch(order?.phone ?? '', dto.phone);
    if (!order || !matches) throw new NotFoundError('Order');
    const history = await this.prisma.orderStatusHistory.findMany({
      where: { orderId: order.id },
      orderBy: { id: 'asc' },
      select: { toStatus: true, event: true, createdAt: true },
    });
    return {
      number: order.number,
      status: order.status,
      paymentMethod: order.paymentMethod,
      currency: order.currency,
      totalMinor: order.totalMinor,
      items: order.items,
      timeline: history.map((h) => ({ status: h.toStatus, event: h.event, at: h.createdAt })),
      carrier: order.carrier,
      trackingNumber: order.trackingNumber,
      trackingUrl: trackingUrl(this.trackingUrlTemplate, order),
      carrierStatus: order.carrierStatus,
      placedAt: order.createdAt,
    };
  }
}
