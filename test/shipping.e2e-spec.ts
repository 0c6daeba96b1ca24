import type { AddressInfo } from 'node:net';
import { ShiprocketSimulator } from './carrier-simulator/shiprocket-simulator.js';
import { createProductWithStock, inventoryLevel, ledgerViolations } from './support/fixtures.js';
import { checkoutBody } from './support/checkout.js';
import { applyEnv } from './support/helpers.js';
import { bearer, createAdmin, startTestApp, type TestApp } from './support/test-app.js';
import { TrackingPollJob } from '../src/shipping/tracking-poll.job.js';

/**
 * Shipping end to end: the real app books parcels with a local Shiprocket (the simulator answers Shiprocket's REST
 * endpoints) and receives its tracking webhooks over HTTP, token in x-api-key, as Shiprocket sends them.
 */
describe('shipping (Shiprocket simulator)', () => {
  let sim: ShiprocketSimulator;
  let restoreEnv: () => void;
  let t: TestApp;
  let admin: { token: string };
  let appUrl: string;
  let variantId: string;

  beforeAll(async () => {
    sim = await ShiprocketSimulator.start();
    // Customers hear about every parcel event in this file (whatever another file left in NOTIFY_EVENTS).
    restoreEnv = applyEnv({
      ...sim.env(),
      NOTIFY_EVENTS: 'order.fulfilled,order.in_transit,order.out_for_delivery,order.delivered,order.delivery_failed,order.rto_initiated',
    });
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    appUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    admin = await createAdmin(t);
    const product = await createProductWithStock(t.prisma, [{ stock: 10_000, priceMinor: 49900 }]);
    variantId = product.variants[0].id;
  });

  afterAll(async () => {
    await t.close();
    restoreEnv();
    await sim.stop();
  });

  const auth = () => bearer(admin.token);

  async function placeOrder(overrides: Record<string, unknown> = {}, quantity = 1) {
    const res = await t.http
      .post('/orders/checkout')
      .send(checkoutBody([{ variantId, quantity }], overrides))
      .expect(201);
    return res.body.order as { id: string; number: string; status: string; totalMinor: number; phone: string };
  }

  async function book(orderIds: string[], extra: Record<string, unknown> = {}) {
    const res = await t.http
      .post('/shipments')
      .set(auth())
      .send({ orderIds, carrier: 'shiprocket', ...extra });
    expect(res.body).toMatchObject({ results: expect.any(Array) });
    return res.body as {
      results: {
        orderId: string;
        ok: boolean;
        shipment?: { id: string; awb: string; labelUrl: string; trackingUrl: string };
        error?: { statusCode: number; message: string };
      }[];
      booked: number;
      failed: number;
    };
  }

  async function bookedOrder(overrides: Record<string, unknown> = {}, quantity = 1) {
    const order = await placeOrder(overrides, quantity);
    const { results } = await book([order.id]);
    expect(results[0]).toMatchObject({ ok: true });
    return { order, shipment: results[0].shipment! };
  }

  const orderStatus = async (id: string) => (await t.prisma.order.findUniqueOrThrow({ where: { id } })).status;

  /** The courier scans, and Shiprocket sends the webhook. */
  async function courier(awb: string, status: Parameters<ShiprocketSimulator['scan']>[1], activity?: string) {
    const scan = sim.scan(awb, status, { activity });
    const res = await sim.sendWebhook(appUrl, awb, { scan });
    expect(res.status).toBe(200);
    return (res.body as { outcomes: string[] }).outcomes[0];
  }

  const cashCaptures = (orderId: string) => t.prisma.paymentAttempt.findMany({ where: { orderId, status: 'CAPTURED' } });

  it('books a COD order: Shiprocket order, AWB, pickup and label; the order is fulfilled with the tracking link', async () => {
    const order = await placeOrder({}, 2);
    expect(order.status).toBe('CONFIRMED');
    const { results, booked } = await book([order.id], { package: { weightGrams: 1200, lengthCm: 30, breadthCm: 20, heightCm: 10 } });
    expect(booked).toBe(1);
    const shipment = results[0].shipment!;
    expect(shipment.awb).toMatch(/^SR\d+/);
    expect(shipment.labelUrl).toMatch(/\.pdf$/);
    expect(shipment.trackingUrl).toBe(`https://shiprocket.co/tracking/${shipment.awb}`);

    const parcel = sim.parcelByAwb(shipment.awb);
    expect(parcel.paymentMethod).toBe('COD');
    expect(parcel.subTotal).toBe((49900 * 2) / 100);
    expect(parcel.body).toMatchObject({ order_id: shipment.id, weight: 1.2, length: 30, billing_pincode: '560001' });
    expect(parcel.pickupScheduled).toBe(true);

    const stored = await t.prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(stored).toMatchObject({
      status: 'FULFILLED',
      trackingNumber: shipment.awb,
      trackingUrl: shipment.trackingUrl,
      carrier: 'Shiprocket (Delhivery Surface)',
    });
    const label = await t.http.get(`/shipments/${shipment.id}/label`).set(auth()).expect(200);
    expect(label.body.labelUrl).toBe(shipment.labelUrl);

    // Booking again is refused for that order (one live parcel per order), in the per-order result.
    const again = await book([order.id]);
    expect(again.results[0]).toMatchObject({ ok: false, error: { statusCode: 409 } });
    expect(await t.prisma.shipment.count({ where: { orderId: order.id } })).toBe(1);
  });

  it('follows the full path by webhook to delivered, records the cash once, and shows it on the track page', async () => {
    const { order, shipment } = await bookedOrder();
    expect(await courier(shipment.awb, 'PICKED_UP')).toBe('APPLIED');
    expect(await orderStatus(order.id)).toBe('IN_TRANSIT');
    expect(await courier(shipment.awb, 'IN_TRANSIT')).toBe('IGNORED'); // already in transit: recorded, nothing to move
    expect(await courier(shipment.awb, 'OUT_FOR_DELIVERY')).toBe('APPLIED');
    const tracked = await t.http.post('/orders/track').send({ orderNumber: order.number, phone: order.phone }).expect(200);
    expect(tracked.body).toMatchObject({
      status: 'OUT_FOR_DELIVERY',
      carrierStatus: 'OUT FOR DELIVERY',
      trackingUrl: shipment.trackingUrl,
    });
    expect(await cashCaptures(order.id)).toHaveLength(0);
    expect(await courier(shipment.awb, 'DELIVERED')).toBe('APPLIED');
    expect(await orderStatus(order.id)).toBe('DELIVERED');
    const cash = await cashCaptures(order.id);
    expect(cash).toHaveLength(1);
    expect(cash[0]).toMatchObject({ amountMinor: order.totalMinor, remittedMinor: null });

    const history = await t.prisma.orderStatusHistory.findMany({ where: { orderId: order.id }, orderBy: { id: 'asc' } });
    expect(history.map((h) => h.toStatus)).toEqual(['CREATED', 'CONFIRMED', 'FULFILLED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED']);
    const announced = await t.prisma.outboxMessage.findMany({ where: { aggregateId: order.id }, select: { event: true } });
    const events = new Set(announced.map((m) => m.event));
    for (const e of ['order.fulfilled', 'order.in_transit', 'order.out_for_delivery', 'order.delivered']) expect(events).toContain(e);
    const detail = await t.http.get(`/shipments/${shipment.id}`).set(auth()).expect(200);
    expect(detail.body).toMatchObject({ state: 'CLOSED', orderStatus: 'DELIVERED' });
    expect(detail.body.events.map((e: { outcome: string }) => e.outcome)).toEqual(['APPLIED', 'IGNORED', 'APPLIED', 'APPLIED']);
  });

  it('drops duplicate webhooks, records late ones without moving a delivered order back, and refuses a wrong token', async () => {
    const { order, shipment } = await bookedOrder();
    const pickedUp = sim.scan(shipment.awb, 'PICKED_UP');
    sim.scan(shipment.awb, 'OUT_FOR_DELIVERY');
    const delivered = sim.scan(shipment.awb, 'DELIVERED');
    // Delivered arrives first, five times at once.
    const copies = await Promise.all(Array.from({ length: 5 }, () => sim.sendWebhook(appUrl, shipment.awb, { scan: delivered })));
    const outcomes = copies.map((c) => (c.body as { outcomes: string[] }).outcomes[0]).sort();
    expect(outcomes).toEqual(['APPLIED', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE']);
    expect(await orderStatus(order.id)).toBe('DELIVERED');
    expect(await cashCaptures(order.id)).toHaveLength(1);
    // The older "picked up" arrives late: stale, recorded, no effect.
    const late = await sim.sendWebhook(appUrl, shipment.awb, { scan: pickedUp });
    expect((late.body as { outcomes: string[] }).outcomes).toEqual(['STALE']);
    // A newer "in transit" (a carrier's mistake) cannot move a delivered order back either.
    expect(await courier(shipment.awb, 'IN_TRANSIT')).toBe('IGNORED');
    expect(await orderStatus(order.id)).toBe('DELIVERED');

    const before = await t.prisma.shipmentEvent.count();
    sim.scan(shipment.awb, 'IN_TRANSIT');
    expect((await sim.sendWebhook(appUrl, shipment.awb, { token: 'not-the-token' })).status).toBe(400);
    expect((await sim.sendWebhook(appUrl, shipment.awb, { token: null })).status).toBe(400);
    expect(await t.prisma.shipmentEvent.count()).toBe(before);
    const unknownPath = await fetch(`${appUrl}/shipping/webhooks/shiprocket`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(unknownPath.status).toBe(404);
  });

  it('counts failed deliveries (NDR) with their reason, lists them, and delivers on a later attempt', async () => {
    const { order, shipment } = await bookedOrder();
    await courier(shipment.awb, 'PICKED_UP');
    await courier(shipment.awb, 'OUT_FOR_DELIVERY');
    expect(await courier(shipment.awb, 'UNDELIVERED', 'Consignee not available')).toBe('APPLIED');
    expect(await orderStatus(order.id)).toBe('DELIVERY_FAILED');
    let ndr = await t.http.get('/shipments?view=ndr&limit=100').set(auth()).expect(200);
    expect(ndr.body.items.find((s: { id: string }) => s.id === shipment.id)).toMatchObject({
      ndrAttempts: 1,
      ndrReason: 'Consignee not available',
    });
    await courier(shipment.awb, 'OUT_FOR_DELIVERY');
    await courier(shipment.awb, 'UNDELIVERED', 'Address incomplete');
    const failed = await t.prisma.shipment.findUniqueOrThrow({ where: { id: shipment.id } });
    expect(failed).toMatchObject({ ndrAttempts: 2, ndrReason: 'Address incomplete' });
    const notice = await t.prisma.outboxMessage.findFirst({ where: { aggregateId: order.id, event: 'order.delivery_failed' } });
    expect(notice?.payload).toMatchObject({ reason: 'UNDELIVERED: Consignee not available' });
    await courier(shipment.awb, 'OUT_FOR_DELIVERY');
    expect(await courier(shipment.awb, 'DELIVERED')).toBe('APPLIED');
    expect(await orderStatus(order.id)).toBe('DELIVERED');
    expect(await cashCaptures(order.id)).toHaveLength(1);
    ndr = await t.http.get('/shipments?view=ndr&limit=100').set(auth()).expect(200);
    expect(ndr.body.items.some((s: { id: string }) => s.id === shipment.id)).toBe(false);
  });

  it('takes back a refused COD parcel: RTO, restock except damaged, order closed, count per phone, COD blocked over the threshold', async () => {
    const { order, shipment } = await bookedOrder({}, 3);
    const onHandBefore = (await inventoryLevel(t.prisma, variantId)).onHand;
    await courier(shipment.awb, 'PICKED_UP');
    await courier(shipment.awb, 'OUT_FOR_DELIVERY');
    await courier(shipment.awb, 'UNDELIVERED', 'Customer refused to accept');
    expect(await courier(shipment.awb, 'RTO_INITIATED')).toBe('APPLIED');
    expect(await orderStatus(order.id)).toBe('RTO_INITIATED');
    const risk = await t.http
      .get(`/shipping/customers/${encodeURIComponent(order.phone)}/rto`)
      .set(auth())
      .expect(200);
    expect(risk.body.rtoCount).toBe(1);
    // The console's customer view shows the same count.
    const customer = await t.http
      .get(`/admin/customers/${encodeURIComponent(order.phone)}`)
      .set(auth())
      .expect(200);
    expect(customer.body.rtoCount).toBe(1);
    expect(await courier(shipment.awb, 'RTO_DELIVERED')).toBe('APPLIED');
    const rto = await t.http.get('/shipments?view=rto&limit=100').set(auth()).expect(200);
    const listed = rto.body.items.find((s: { id: string }) => s.id === shipment.id);
    expect(listed).toMatchObject({ orderStatus: 'RTO_INITIATED', customerRtoCount: 1 });
    expect(listed.rtoArrivedAt).not.toBeNull();
    expect(await cashCaptures(order.id)).toHaveLength(0);

    const item = (await t.prisma.orderItem.findFirstOrThrow({ where: { orderId: order.id } })).id;
    await t.http
      .post(`/shipments/${shipment.id}/rto/receive`)
      .set(auth())
      .send({ damaged: [{ orderItemId: item, quantity: 5, reason: 'crushed' }] })
      .expect(400);
    await t.http
      .post(`/shipments/${shipment.id}/rto/receive`)
      .set(auth())
      .send({ damaged: [{ orderItemId: item, quantity: 1, reason: 'Box crushed, jar broken' }] })
      .expect(200);
    expect(await orderStatus(order.id)).toBe('RETURNED_TO_ORIGIN');
    expect((await inventoryLevel(t.prisma, variantId)).onHand).toBe(onHandBefore + 2);
    expect(await ledgerViolations(t.prisma, [variantId])).toEqual([]);
    await t.http.post(`/shipments/${shipment.id}/rto/receive`).set(auth()).send({}).expect(409);
    expect((await inventoryLevel(t.prisma, variantId)).onHand).toBe(onHandBefore + 2);

    // The brand blocks cash on delivery for phones with one RTO: the same phone must pay online, others still may.
    await t.http.patch('/admin/settings').set(auth()).send({ codRtoBlockThreshold: 1 }).expect(200);
    const body = checkoutBody([{ variantId, quantity: 1 }]);
    const refused = await t.http
      .post('/orders/checkout')
      .send({ ...body, contact: { ...body.contact, phone: `0${order.phone.slice(-10)}` } })
      .expect(422);
    expect(refused.body.details).toMatchObject({ code: 'COD_NOT_AVAILABLE', field: 'paymentMethod' });
    await placeOrder();
    await t.http.patch('/admin/settings').set(auth()).send({ codRtoBlockThreshold: null }).expect(200);
  });

  it('records the COD remittance once per parcel; until then the cash is collected, not remitted', async () => {
    const { order, shipment } = await bookedOrder();
    const { shipment: undelivered } = await bookedOrder();
    await courier(shipment.awb, 'PICKED_UP');
    await courier(shipment.awb, 'DELIVERED');
    const send = () =>
      t.http
        .post('/shipments/remittances')
        .set(auth())
        .send({
          carrier: 'shiprocket',
          reference: 'UTR2026120300123',
          lines: [
            { awb: shipment.awb, amountMinor: order.totalMinor - 4000 },
            { awb: undelivered.awb, amountMinor: 100 },
            { awb: 'SR-NOPE', amountMinor: 1 },
          ],
        })
        .expect(200);
    expect((await send()).body.lines.map((l: { outcome: string }) => l.outcome)).toEqual(['recorded', 'not_collected', 'unknown_awb']);
    expect((await send()).body.lines[0].outcome).toBe('already_recorded');
    const [cash] = await cashCaptures(order.id);
    expect(cash).toMatchObject({
      amountMinor: order.totalMinor,
      remittedMinor: order.totalMinor - 4000,
      remittanceRef: 'UTR2026120300123',
    });
    const summary = await t.http.get(`/orders/${order.id}/payment`).set(auth()).expect(200);
    expect(summary.body.paidMinor).toBe(order.totalMinor);
    expect(summary.body.attempts[0]).toMatchObject({ remittedMinor: order.totalMinor - 4000 });
  });

  it('polls parcels without webhooks, each once however many instances poll at the same time', async () => {
    const parcels = await Promise.all([bookedOrder(), bookedOrder(), bookedOrder()]);
    for (const { shipment } of parcels) {
      sim.scan(shipment.awb, 'PICKED_UP');
      sim.scan(shipment.awb, 'OUT_FOR_DELIVERY');
    }
    const job = t.app.get(TrackingPollJob);
    const tracked = () => sim.calls.filter((c) => c.path.startsWith('/v1/external/courier/track/awb/')).length;
    const before = tracked();
    const future = new Date(Date.now() + 3 * 3600_000);
    const [a, b] = await Promise.all([job.pollDue(future), job.pollDue(future)]);
    expect(tracked() - before).toBe(a + b);
    for (const { order } of parcels) expect(await orderStatus(order.id)).toBe('OUT_FOR_DELIVERY');
    // Polled again later (and a webhook for the same scan): nothing counts twice.
    await sim.sendWebhook(appUrl, parcels[0].shipment.awb);
    sim.scan(parcels[0].shipment.awb, 'DELIVERED');
    await job.pollDue(new Date(Date.now() + 6 * 3600_000));
    expect(await orderStatus(parcels[0].order.id)).toBe('DELIVERED');
    expect(await cashCaptures(parcels[0].order.id)).toHaveLength(1);
    const events = await t.prisma.shipmentEvent.groupBy({
      by: ['carrierEventId'],
      where: { shipmentId: parcels[0].shipment.id },
      _count: true,
    });
    expect(events.every((e) => e._count === 1)).toBe(true);
  });

  it('books 50 orders in one call, and reports per order what could not be booked', async () => {
    const orders = await Promise.all(Array.from({ length: 50 }, () => placeOrder()));
    const { results, booked, failed } = await book(orders.map((o) => o.id));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect({ booked, failed }).toEqual({ booked: 50, failed: 0 });
    expect(new Set(results.map((r) => r.shipment!.awb)).size).toBe(50);
    expect(results.map((r) => r.orderId)).toEqual(orders.map((o) => o.id));
    const statuses = await t.prisma.order.groupBy({ by: ['status'], where: { id: { in: orders.map((o) => o.id) } }, _count: true });
    expect(statuses).toEqual([{ status: 'FULFILLED', _count: 50 }]);

    const body = checkoutBody([{ variantId, quantity: 1 }]);
    const unserviceable = (
      await t.http
        .post('/orders/checkout')
        .send({ ...body, shippingAddress: { ...body.shippingAddress, postalCode: '999999' } })
        .expect(201)
    ).body.order as { id: string };
    const cancelled = await placeOrder();
    await t.http.post(`/orders/${cancelled.id}/cancel`).set(auth()).send({}).expect(200);
    const fresh = await placeOrder();
    const mixed = await book([unserviceable.id, orders[0].id, cancelled.id, fresh.id]);
    expect(mixed.results.map((r) => r.ok)).toEqual([false, false, false, true]);
    expect(mixed.results.map((r) => r.error?.statusCode)).toEqual([422, 409, 409, undefined]);
    expect(mixed.results[0].error!.message).toContain('No courier serviceable');
    expect(await orderStatus(unserviceable.id)).toBe('CONFIRMED');
    expect(await t.prisma.shipment.findFirst({ where: { orderId: unserviceable.id } })).toMatchObject({ state: 'FAILED' });
  });

  it('cancels a parcel not yet picked up, and the order can be booked again; a picked-up one cannot be cancelled', async () => {
    const { order, shipment } = await bookedOrder();
    await t.http.post(`/shipments/${shipment.id}/cancel`).set(auth()).expect(200);
    expect(sim.parcelByAwb(shipment.awb).cancelled).toBe(true);
    expect(await t.prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      status: 'FULFILLED',
      trackingNumber: null,
    });
    const rebooked = await book([order.id]);
    expect(rebooked.results[0].ok).toBe(true);
    const awb = rebooked.results[0].shipment!.awb;
    await courier(awb, 'PICKED_UP');
    await t.http.post(`/shipments/${rebooked.results[0].shipment!.id}/cancel`).set(auth()).expect(409);
  });

  it('logs in again when the Shiprocket token expired', async () => {
    sim.expireTokens();
    const logins = sim.calls.filter((c) => c.path === '/v1/external/auth/login').length;
    await bookedOrder();
    expect(sim.calls.filter((c) => c.path === '/v1/external/auth/login').length).toBe(logins + 1);
  });

  it('books with the manual carrier and follows what staff report', async () => {
    const order = await placeOrder();
    await t.http
      .post('/shipments')
      .set(auth())
      .send({ orderIds: [order.id], carrier: 'manual' })
      .expect(400);
    const res = await t.http
      .post('/shipments')
      .set(auth())
      .send({ orderIds: [order.id], carrier: 'manual', manual: { carrierName: 'India Post', trackingNumber: 'EE123456789IN' } })
      .expect(200);
    const shipment = res.body.results[0].shipment;
    expect(await t.prisma.order.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      status: 'FULFILLED',
      carrier: 'India Post',
      trackingNumber: 'EE123456789IN',
    });
    await t.http.get(`/shipments/${shipment.id}/label`).set(auth()).expect(404);
    const reported = await t.http.post(`/shipments/${shipment.id}/events`).set(auth()).send({ status: 'DELIVERED' }).expect(200);
    expect(reported.body.outcome).toBe('APPLIED');
    expect(await orderStatus(order.id)).toBe('DELIVERED');
    expect(await cashCaptures(order.id)).toHaveLength(1);
    await t.http.post(`/shipments/${shipment.id}/events`).set(auth()).send({ status: 'SOMEWHERE' }).expect(400);
  });

  it('keeps shipping admin-only and validates input', async () => {
    await t.http.post('/shipments').send({ orderIds: [], carrier: 'shiprocket' }).expect(401);
    await t.http.post('/shipments').set(auth()).send({ orderIds: [], carrier: 'shiprocket' }).expect(400);
    await t.http
      .post('/shipments')
      .set(auth())
      .send({ orderIds: ['not-a-uuid'], carrier: 'shiprocket' })
      .expect(400);
    await t.http
      .post('/shipments')
      .set(auth())
      .send({ orderIds: [crypto.randomUUID()], carrier: 'fedex' })
      .expect(400);
    const carriers = await t.http.get('/shipping/carriers').set(auth()).expect(200);
    expect(carriers.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'shiprocket', enabled: true, webhookPath: '/shipping/webhooks/parcel-updates' }),
      ]),
    );
    const settings = await t.http.get('/admin/settings').set(auth()).expect(200);
    expect(settings.body.credentials.shiprocket.password).toMatchObject({ set: true, source: 'environment' });
    expect(JSON.stringify(settings.body)).not.toContain(sim.config.password);
  });
});
