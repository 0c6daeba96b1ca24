import type {
  CustomerEventType,
  OrderEventPayload,
  OrderEventType,
  WaitlistEventPayload,
  WaitlistEventType,
} from '../outbox/outbox-events.js';
import { formatMoney } from './money.js';

export interface BrandContext {
  name: string;
  supportEmail: string | null;
  supportPhone: string | null;
}

/** One message in every shape the channels need. */
export interface RenderedNotification {
  subject: string;
  /** Short text for SMS and the log: "<brand>: <sentence>". */
  shortText: string;
  /** Plain-text email body with the item lines. */
  emailText: string;
  /** WhatsApp template body parameters {{1}}..{{5}}: customer name, order number, items, total, detail. */
  whatsappParameters: [string, string, string, string, string];
}

interface TemplateContext {
  order: OrderEventPayload['order'];
  number: string;
  total: string;
  tracking: string | null;
  /** Why it happened (the announcement's reason: the courier's delivery failure reason, a cancellation reason). */
  reason: string | null;
}

interface Template {
  subject: (c: TemplateContext) => string;
  sentence: (c: TemplateContext) => string;
}

const TEMPLATES: Record<OrderEventType, Template> = {
  'order.created': {
    subject: (c) => `Order ${c.number} received`,
    sentence: (c) =>
      c.order.paymentMethod === 'COD'
        ? `Thanks for your order ${c.number}! Total ${c.total}, to be paid in cash on delivery.`
        : `Thanks for your order ${c.number}! Total ${c.total}. We will confirm it as soon as your payment arrives.`,
  },
  'order.paid': {
    subject: (c) => `Order ${c.number} confirmed`,
    sentence: (c) => `Payment of ${c.total} received for order ${c.number}. We will let you know when it ships.`,
  },
  'order.payment_failed': {
    subject: (c) => `Payment for order ${c.number} did not go through`,
    sentence: (c) => `The payment of ${c.total} for order ${c.number} did not go through. You can try again while the order is reserved.`,
  },
  'order.fulfilled': {
    subject: (c) => `Order ${c.number} has shipped`,
    sentence: (c) =>
      `Order ${c.number} is on its way${c.order.carrier ? ` with ${c.order.carrier}` : ''}.${c.tracking ? ` Track it: ${c.tracking}` : ''}`,
  },
  'order.delivered': {
    subject: (c) => `Order ${c.number} delivered`,
    sentence: (c) => `Order ${c.number} has been delivered. Enjoy!`,
  },
  'order.cancelled': {
    subject: (c) => `Order ${c.number} cancelled`,
    sentence: (c) => `Order ${c.number} (${c.total}) has been cancelled.`,
  },
  'order.expired': {
    subject: (c) => `Order ${c.number} expired`,
    sentence: (c) => `Order ${c.number} was not paid in time, so we released the items. You are welcome to order again.`,
  },
  'order.partially_refunded': {
    subject: (c) => `Partial refund for order ${c.number}`,
    sentence: (c) => `We have issued a partial refund for order ${c.number}. It can take a few days to reach your account.`,
  },
  'order.refunded': {
    subject: (c) => `Order ${c.number} refunded`,
    sentence: (c) => `Order ${c.number} has been refunded in full (${c.total}). It can take a few days to reach your account.`,
  },
  'order.return_requested': {
    subject: (c) => `Return request for order ${c.number} received`,
    sentence: (c) => `We received your return request for order ${c.number} and will be in touch about the next steps.`,
  },
  'order.return_rejected': {
    subject: (c) => `Return for order ${c.number} not accepted`,
    sentence: (c) => `We could not accept the return for order ${c.number}. Please contact us if you have questions.`,
  },
  'order.returned': {
    subject: (c) => `Return for order ${c.number} received`,
    sentence: (c) => `We have received the items you returned from order ${c.number}.`,
  },
  'order.in_transit': {
    subject: (c) => `Order ${c.number} is in transit`,
    sentence: (c) => `Order ${c.number} has been picked up and is on its way.${c.tracking ? ` Track it: ${c.tracking}` : ''}`,
  },
  'order.out_for_delivery': {
    subject: (c) => `Order ${c.number} is out for delivery`,
    sentence: (c) =>
      `Order ${c.number} is out for delivery today.${c.order.paymentMethod === 'COD' ? ` Please keep ${c.total} ready in cash.` : ''}` +
      (c.tracking ? ` Track it: ${c.tracking}` : ''),
  },
  'order.delivery_failed': {
    subject: (c) => `We could not deliver order ${c.number}`,
    sentence: (c) =>
      `The courier could not deliver order ${c.number}${c.reason ? ` (${c.reason})` : ''}. They will try again; to change the time or ` +
      `address, reply to this message or contact us soon, or the parcel will come back to us.${c.tracking ? ` Track it: ${c.tracking}` : ''}`,
  },
  'order.rto_initiated': {
    subject: (c) => `Order ${c.number} is coming back to us`,
    sentence: (c) => `Order ${c.number} could not be delivered and is being returned to us. Contact us if you still want it.`,
  },
  'order.returned_to_origin': {
    subject: (c) => `Order ${c.number} returned to us`,
    sentence: (c) => `Order ${c.number} could not be delivered and has come back to us, so it is now closed.`,
  },
};

/** Events whose message is about a moving parcel: the WhatsApp detail parameter is its tracking link. */
const PARCEL_EVENTS: ReadonlySet<OrderEventType> = new Set([
  'order.fulfilled',
  'order.in_transit',
  'order.out_for_delivery',
  'order.delivery_failed',
]);

/** WhatsApp template name for an event: the prefix plus the event with "." replaced ("order_paid"). */
export function whatsappTemplateName(event: CustomerEventType, prefix: string): string {
  return `${prefix}${event.replace('.', '_')}`;
}

function itemsSummary(order: OrderEventPayload['order'], max = 3): string {
  const shown = order.items.slice(0, max).map((i) => `${i.quantity} × ${i.name}`);
  const rest = order.items.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

function supportLine(brand: BrandContext): string | null {
  const contacts = [brand.supportEmail, brand.supportPhone].filter(Boolean);
  return contacts.length ? `Questions? Reach us at ${contacts.join(' or ')}.` : null;
}

/** Renders the customer message for an order event. Amounts come from integer minor units (see formatMoney). */
export function renderNotification(
  event: OrderEventType,
  payload: OrderEventPayload,
  brand: BrandContext,
  locale: string,
): RenderedNotification {
  const { order } = payload;
  const money = (minor: number) => formatMoney(minor, order.currency, locale);
  const tracking = order.trackingUrl ?? order.trackingNumber;
  const context: TemplateContext = { order, number: order.number, total: money(order.totalMinor), tracking, reason: payload.reason };
  const template = TEMPLATES[event];
  const sentence = template.sentence(context);
  const support = supportLine(brand);
  const emailText = [
    `Hi ${order.customer.name},`,
    '',
    sentence,
    '',
    `Order ${order.number}`,
    ...order.items.map((i) => `  ${i.quantity} × ${i.name} (${i.sku})  ${money(i.lineTotalMinor)}`),
    `  Total: ${context.total}`,
    ...(event === 'order.fulfilled' && order.trackingNumber
      ? ['', `Tracking number: ${order.trackingNumber}${order.carrier ? ` (${order.carrier})` : ''}`]
      : []),
    ...(support ? ['', support] : []),
    '',
    brand.name,
  ].join('\n');
  const detail = (PARCEL_EVENTS.has(event) ? tracking : null) ?? support ?? brand.name;
  const nonEmpty = (value: string) => value.trim() || '-';
  return {
    subject: `${brand.name}: ${template.subject(context)}`,
    shortText: `${brand.name}: ${sentence}`,
    emailText,
    whatsappParameters: [nonEmpty(order.customer.name), order.number, nonEmpty(itemsSummary(order)), context.total, nonEmpty(detail)],
  };
}

/**
 * Renders the message for a customer who asked to be told ("notify me"). WhatsApp parameters: greeting name, what came
 * back (product and variant, or the drop), how many are available (or when it opened), the shop link, support.
 * `publicBase` is the brand's absolute address (BrandsService.publicBase): a message has no page to be relative to.
 */
export function renderWaitlistNotification(
  event: WaitlistEventType,
  payload: WaitlistEventPayload,
  brand: BrandContext,
  publicBase: string,
): RenderedNotification {
  const what = payload.item ? `${payload.item.productName} (${payload.item.variantName})` : (payload.drop?.name ?? 'the drop');
  const sentence =
    event === 'waitlist.back_in_stock'
      ? `${what} is back in stock. You asked us to tell you; it may go quickly.`
      : `${what} is open now. You asked us to tell you when it starts.`;
  const subject = event === 'waitlist.back_in_stock' ? `${what} is back` : `${what} is open`;
  const link = `${publicBase}/shop${payload.item ? `/${encodeURIComponent(payload.item.productSlug)}` : ''}`;
  const support = supportLine(brand);
  return {
    subject: `${brand.name}: ${subject}`,
    shortText: `${brand.name}: ${sentence}`,
    emailText: ['Hi,', '', sentence, `Shop: ${link}`, ...(support ? ['', support] : []), '', brand.name].join('\n'),
    whatsappParameters: [
      'there',
      what,
      payload.item ? String(payload.item.available) : (payload.drop?.opensAt ?? '-'),
      link,
      support ?? brand.name,
    ],
  };
}
