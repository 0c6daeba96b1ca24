import type { Order, OrderItem } from '../generated/prisma/client.js';
import type { OrderResponse, ShippingAddressResponse } from './dto/order.dto.js';
import { canTransition, ORDER_EVENTS } from './order-state-machine.js';

/** The API view of an order: everything but the guest token hash. */
export function toOrderResponse(order: Order & { items: OrderItem[] }): OrderResponse {
  return {
    id: order.id,
    number: order.number,
    status: order.status,
    nextEvents: ORDER_EVENTS.filter((event) => canTransition(order.status, event)),
    paymentMethod: order.paymentMethod,
    currency: order.currency,
    subtotalMinor: order.subtotalMinor,
    totalMinor: order.totalMinor,
    userId: order.userId,
    customerName: order.customerName,
    email: order.email,
    phone: order.phone,
    shippingAddress: order.shippingAddress as unknown as ShippingAddressResponse,
    reservationExpiresAt: order.reservationExpiresAt,
    needsReview: order.needsReview,
    carrier: order.carrier,
    trackingNumber: order.trackingNumber,
    trackingUrl: order.trackingUrl,
    carrierStatus: order.carrierStatus,
    items: order.items.map((item) => ({
      id: item.id,
      variantId: item.variantId,
      sku: item.sku,
      productName: item.productName,
      variantName: item.variantName,
      unitPriceMinor: item.unitPriceMinor,
      quantity: item.quantity,
      lineTotalMinor: item.lineTotalMinor,
    })),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}
