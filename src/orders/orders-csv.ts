import type { Response } from 'express';
import type { Order, OrderItem } from '../generated/prisma/client.js';

const COLUMNS = [
  'number',
  'created_at',
  'status',
  'payment_method',
  'currency',
  'total_minor',
  'customer_name',
  'phone',
  'email',
  'city',
  'postal_code',
  'country',
  'items',
  'carrier',
  'tracking_number',
] as const;

/**
 * One CSV field (RFC 4180: quoted when it holds a comma, quote or line break). A field that a spreadsheet would run as
 * a formula (=, +, -, @, tab, CR first) gets a leading apostrophe: customer names are typed by anyone at checkout.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** What a CSV row shows of an order. */
export type CsvOrder = Order & { items: Pick<OrderItem, 'quantity' | 'sku'>[] };

export function csvRow(order: CsvOrder): string {
  const address = order.shippingAddress as { city?: string; postalCode?: string; country?: string };
  const fields = [
    order.number,
    order.createdAt.toISOString(),
    order.status,
    order.paymentMethod,
    order.currency,
    order.totalMinor,
    order.customerName,
    order.phone,
    order.email,
    address.city,
    address.postalCode,
    address.country,
    order.items.map((i) => `${i.quantity} × ${i.sku}`).join('; '),
    order.carrier,
    order.trackingNumber,
  ];
  return `${fields.map(csvField).join(',')}\r\n`;
}

/**
 * Streams the CSV: a batch is written when the client has taken the previous one (backpressure), so a 100k-order
 * export holds one batch in memory. A failure after the header has gone out can only cut the download short.
 */
export async function writeOrdersCsv(batches: AsyncIterable<CsvOrder[]>, res: Response): Promise<void> {
  const iterator = batches[Symbol.asyncIterator]();
  // The first batch is read before anything is sent, so a database error still becomes a proper error answer.
  const first = await iterator.next();
  const stamp = new Date().toISOString().slice(0, 10);
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="orders-${stamp}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  let closed = false;
  res.on('close', () => (closed = true));
  const isClosed = () => closed;
  // Waits for the client to take what was written; a client that left resolves the wait too.
  const write = (text: string) =>
    res.write(text) || isClosed()
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
  await write(`${COLUMNS.join(',')}\r\n`);
  try {
    for (let next = first; !next.done && !isClosed(); next = await iterator.next()) await write(next.value.map(csvRow).join(''));
  } catch (error) {
    res.destroy(error as Error);
    return;
  } finally {
    await iterator.return?.();
  }
  res.end();
}
