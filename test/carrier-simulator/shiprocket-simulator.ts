import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { matchRoute, readRequest, send, type SimRequest, type SimResponse } from '../provider-simulator/http-kit.js';

/** Shiprocket's status codes the simulator plays (shipment_status_id / sr-status) and their labels. */
export const SHIPROCKET_STATUS = {
  PICKUP_SCHEDULED: [3, 'PICKUP SCHEDULED'],
  SHIPPED: [6, 'SHIPPED'],
  DELIVERED: [7, 'DELIVERED'],
  CANCELED: [8, 'CANCELED'],
  RTO_INITIATED: [9, 'RTO INITIATED'],
  RTO_DELIVERED: [10, 'RTO DELIVERED'],
  OUT_FOR_DELIVERY: [17, 'OUT FOR DELIVERY'],
  IN_TRANSIT: [18, 'IN TRANSIT'],
  UNDELIVERED: [21, 'UNDELIVERED'],
  PICKED_UP: [42, 'PICKED UP'],
} as const satisfies Record<string, readonly [number, string]>;
export type ShiprocketStatus = keyof typeof SHIPROCKET_STATUS;

export interface SimScan {
  date: string;
  status: string;
  activity: string;
  location: string;
  'sr-status': string;
  'sr-status-label': string;
}

export interface SimParcel {
  orderId: number;
  channelOrderId: string;
  shipmentId: number;
  paymentMethod: string;
  subTotal: number;
  pincode: string;
  awb?: string;
  courierName?: string;
  cancelled: boolean;
  pickupScheduled: boolean;
  labelUrl?: string;
  /** Newest last. */
  scans: SimScan[];
  body: Record<string, unknown>;
}

export interface ShiprocketSimConfig {
  email: string;
  password: string;
  webhookToken: string;
}

/** "2023-05-23 11:43:52" in India time, as Shiprocket writes scan dates. */
export function istDate(at: Date): string {
  return new Date(at.getTime() + 330 * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** "23 05 2023 11:43:52", as Shiprocket writes a webhook's current_timestamp. */
function webhookTimestamp(at: Date): string {
  const [date, time] = istDate(at).split(' ');
  const [y, m, d] = date.split('-');
  return `${d} ${m} ${y} ${time}`;
}

/**
 * A local Shiprocket: answers the endpoints Orderline's adapter calls (login, adhoc order, AWB, pickup, label, cancel,
 * track by AWB) with Shiprocket's shapes, keeps parcels in memory, plays the courier (scans), and sends tracking
 * webhooks as Shiprocket does: a JSON POST carrying the token chosen in the panel in `x-api-key`.
 */
export class ShiprocketSimulator {
  readonly parcels = new Map<number, SimParcel>();
  /** Every API call received, in order. */
  readonly calls: { method: string; path: string; status: number }[] = [];
  private readonly tokens = new Set<string>();
  private nextOrderId = 100_000;
  private readonly server: Server;
  url = '';
  /** Pincodes no courier serves: AWB assignment answers like Shiprocket does for them. */
  readonly unserviceable = new Set<string>(['999999']);

  private constructor(readonly config: ShiprocketSimConfig) {
    this.server = createServer((req, res) => {
      void (async () => {
        const request = await readRequest(req);
        const response = this.route(request);
        this.calls.push({ method: request.method, path: request.path, status: response.status });
        send(res, response);
      })();
    });
  }

  static async start(config: Partial<ShiprocketSimConfig> = {}): Promise<ShiprocketSimulator> {
    const sim = new ShiprocketSimulator({
      email: config.email ?? 'api@brand.example',
      password: config.password ?? `pw-${randomBytes(6).toString('hex')}`,
      webhookToken: config.webhookToken ?? `whk-${randomBytes(12).toString('hex')}`,
    });
    await new Promise<void>((resolve) => sim.server.listen(0, '127.0.0.1', resolve));
    sim.url = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`;
    return sim;
  }

  /** The environment that points Orderline at this simulator. */
  env(): Record<string, string> {
    return {
      SHIPROCKET_API_BASE: this.url,
      SHIPROCKET_EMAIL: this.config.email,
      SHIPROCKET_PASSWORD: this.config.password,
      SHIPROCKET_WEBHOOK_TOKEN: this.config.webhookToken,
    };
  }

  stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    return closed;
  }

  /** Forgets every token issued: the next call gets a 401, as when a Shiprocket token expires. */
  expireTokens(): void {
    this.tokens.clear();
  }

  parcelByAwb(awb: string): SimParcel {
    const parcel = [...this.parcels.values()].find((p) => p.awb === awb);
    if (!parcel) throw new Error(`simulator has no parcel ${awb}`);
    return parcel;
  }

  /** The courier scans the parcel: a new tracking activity (default: now, or just after the previous one). */
  scan(awb: string, status: ShiprocketStatus, options: { at?: Date; activity?: string } = {}): SimScan {
    const parcel = this.parcelByAwb(awb);
    const [code, label] = SHIPROCKET_STATUS[status];
    const last = parcel.scans.at(-1);
    const at = options.at ?? new Date(Math.max(Date.now(), last ? Date.parse(`${last.date.replace(' ', 'T')}+05:30`) + 60_000 : 0));
    const scan: SimScan = {
      date: istDate(at),
      status: label,
      activity: options.activity ?? label,
      location: 'Bengaluru_Hub (Karnataka)',
      'sr-status': String(code),
      'sr-status-label': label,
    };
    parcel.scans.push(scan);
    return scan;
  }

  /** The body of the tracking webhook Shiprocket sends for a scan (default: the parcel's latest). */
  webhookBody(awb: string, scan = this.parcelByAwb(awb).scans.at(-1)): Record<string, unknown> {
    const parcel = this.parcelByAwb(awb);
    if (!scan) throw new Error(`parcel ${awb} has no scans`);
    const at = new Date(`${scan.date.replace(' ', 'T')}+05:30`);
    return {
      awb: parcel.awb,
      courier_name: parcel.courierName,
      current_status: scan['sr-status-label'],
      current_status_id: Number(scan['sr-status']),
      shipment_status: scan['sr-status-label'],
      shipment_status_id: Number(scan['sr-status']),
      current_timestamp: webhookTimestamp(at),
      order_id: parcel.channelOrderId,
      sr_order_id: parcel.orderId,
      awb_assigned_date: parcel.scans[0]?.date,
      etd: istDate(new Date(at.getTime() + 2 * 86_400_000)),
      scans: parcel.scans.slice(0, parcel.scans.indexOf(scan) + 1),
      is_return: scan['sr-status'] === '9' || scan['sr-status'] === '10' ? 1 : 0,
      channel_id: 3422553,
      pod_status: 'OTP Based Delivery',
      pod: 'Not Available',
    };
  }

  /** POSTs a tracking webhook to the app, as Shiprocket does (token in x-api-key); `token` overrides it (bad tokens). */
  async sendWebhook(
    appBaseUrl: string,
    awb: string,
    options: { scan?: SimScan; token?: string | null } = {},
  ): Promise<{ status: number; body: unknown }> {
    const body = JSON.stringify(this.webhookBody(awb, options.scan));
    const token = options.token === undefined ? this.config.webhookToken : options.token;
    const response = await fetch(`${appBaseUrl}/shipping/webhooks/parcel-updates`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'Shiprocket-Webhook', ...(token !== null && { 'x-api-key': token }) },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  private readonly routes: { method: string; pattern: string; handle: (req: SimRequest, params: Record<string, string>) => SimResponse }[] =
    [
      { method: 'POST', pattern: '/v1/external/orders/create/adhoc', handle: (req) => this.createOrder(req) },
      { method: 'POST', pattern: '/v1/external/courier/assign/awb', handle: (req) => this.assignAwb(req) },
      { method: 'POST', pattern: '/v1/external/courier/generate/pickup', handle: (req) => this.pickup(req) },
      { method: 'POST', pattern: '/v1/external/courier/generate/label', handle: (req) => this.label(req) },
      { method: 'POST', pattern: '/v1/external/orders/cancel', handle: (req) => this.cancel(req) },
      { method: 'GET', pattern: '/v1/external/courier/track/awb/:awb', handle: (_req, params) => this.track(params.awb) },
    ];

  private route(req: SimRequest): SimResponse {
    if (req.method === 'POST' && req.path === '/v1/external/auth/login') return this.login(req);
    const auth = req.headers.authorization ?? '';
    if (!this.tokens.has(auth.replace(/^Bearer /, ''))) return { status: 401, body: { message: 'Token has expired', status_code: 401 } };
    for (const route of this.routes) {
      const params = route.method === req.method ? matchRoute(route.pattern, req.path) : undefined;
      if (params) return route.handle(req, params);
    }
    return { status: 404, body: { message: `No route ${req.method} ${req.path}`, status_code: 404 } };
  }

  private login(req: SimRequest): SimResponse {
    if (req.body.email !== this.config.email || req.body.password !== this.config.password) {
      return { status: 400, body: { message: 'Invalid email and password combination', status_code: 400 } };
    }
    const token = `eyJ${randomBytes(24).toString('base64url')}`;
    this.tokens.add(token);
    return { status: 200, body: { id: 1, first_name: 'API', last_name: 'User', email: this.config.email, company_id: 42, token } };
  }

  private createOrder(req: SimRequest): SimResponse {
    const b = req.body;
    const errors: Record<string, string[]> = {};
    for (const field of [
      'order_id',
      'order_date',
      'pickup_location',
      'billing_customer_name',
      'billing_address',
      'billing_city',
      'billing_state',
      'billing_country',
      'billing_phone',
      'payment_method',
    ]) {
      if (typeof b[field] !== 'string' || !b[field]) errors[field] = [`The ${field.replace(/_/g, ' ')} field is required.`];
    }
    if (!/^\d{6}$/.test(String(b.billing_pincode))) errors.billing_pincode = ['The billing pincode must be 6 digits.'];
    if (!/^\d{10}$/.test(String(b.billing_phone))) errors.billing_phone = ['The billing phone must be 10 digits.'];
    if (!Array.isArray(b.order_items) || !b.order_items.length) errors.order_items = ['The order items field is required.'];
    if (!(Number(b.weight) > 0)) errors.weight = ['The weight must be greater than 0.'];
    if (!['COD', 'Prepaid'].includes(String(b.payment_method))) errors.payment_method = ['The selected payment method is invalid.'];
    if (Object.keys(errors).length) return { status: 422, body: { message: 'Oops! Invalid Data.', errors, status_code: 422 } };
    const existing = [...this.parcels.values()].find((p) => p.channelOrderId === b.order_id);
    const parcel: SimParcel = existing ?? {
      orderId: ++this.nextOrderId,
      channelOrderId: String(b.order_id),
      shipmentId: this.nextOrderId + 500_000,
      paymentMethod: String(b.payment_method),
      subTotal: Number(b.sub_total),
      pincode: String(b.billing_pincode),
      cancelled: false,
      pickupScheduled: false,
      scans: [],
      body: b,
    };
    this.parcels.set(parcel.orderId, parcel);
    return {
      status: 200,
      body: {
        order_id: parcel.orderId,
        shipment_id: parcel.shipmentId,
        status: 'NEW',
        status_code: 1,
        onboarding_completed_now: 0,
        awb_code: parcel.awb ?? '',
        courier_company_id: parcel.awb ? 12 : '',
        courier_name: parcel.courierName ?? '',
      },
    };
  }

  private byShipmentId(id: unknown): SimParcel | undefined {
    return [...this.parcels.values()].find((p) => p.shipmentId === Number(id));
  }

  private assignAwb(req: SimRequest): SimResponse {
    const parcel = this.byShipmentId(req.body.shipment_id);
    if (!parcel) return { status: 400, body: { message: 'Invalid shipment id', status_code: 400 } };
    if (this.unserviceable.has(parcel.pincode)) {
      return {
        status: 200,
        body: {
          awb_assign_status: 0,
          message: 'No courier serviceable for this pincode',
          response: { data: { awb_assign_error: 'not serviceable' } },
        },
      };
    }
    parcel.awb ??= `SR${String(parcel.shipmentId)}${randomBytes(2).toString('hex').toUpperCase()}`;
    parcel.courierName ??= 'Delhivery Surface';
    return {
      status: 200,
      body: {
        awb_assign_status: 1,
        response: {
          data: {
            courier_company_id: 12,
            awb_code: parcel.awb,
            cod: parcel.paymentMethod === 'COD' ? 1 : 0,
            order_id: parcel.orderId,
            shipment_id: parcel.shipmentId,
            awb_code_status: 1,
            assigned_date_time: { date: istDate(new Date()), timezone_type: 3, timezone: 'Asia/Kolkata' },
            applied_weight: Number(parcel.body.weight),
            courier_name: parcel.courierName,
          },
        },
      },
    };
  }

  private pickup(req: SimRequest): SimResponse {
    const ids = Array.isArray(req.body.shipment_id) ? req.body.shipment_id : [];
    const parcel = this.byShipmentId(ids[0]);
    if (!parcel?.awb) return { status: 400, body: { message: 'Please assign AWB before generating pickup', status_code: 400 } };
    if (!parcel.pickupScheduled) {
      parcel.pickupScheduled = true;
      parcel.scans.push({
        date: istDate(new Date()),
        status: 'PICKUP SCHEDULED',
        activity: 'Pickup scheduled',
        location: 'Bengaluru',
        'sr-status': '3',
        'sr-status-label': 'PICKUP SCHEDULED',
      });
    }
    return {
      status: 200,
      body: {
        pickup_status: 1,
        response: { pickup_scheduled_date: istDate(new Date()), pickup_token_number: 'Reference No: 1234', status: 3 },
      },
    };
  }

  private label(req: SimRequest): SimResponse {
    const ids = Array.isArray(req.body.shipment_id) ? req.body.shipment_id : [];
    const parcel = this.byShipmentId(ids[0]);
    if (!parcel?.awb) return { status: 200, body: { label_created: 0, response: 'AWB not assigned', not_created: ids } };
    parcel.labelUrl = `https://kr-shipmultichannel-mum.s3.ap-south-1.amazonaws.com/labels/${parcel.shipmentId}-${parcel.awb}.pdf`;
    return {
      status: 200,
      body: {
        label_created: 1,
        label_url: parcel.labelUrl,
        response: 'Label has been created and uploaded successfully!',
        not_created: [],
      },
    };
  }

  private cancel(req: SimRequest): SimResponse {
    const ids = Array.isArray(req.body.ids) ? req.body.ids : [];
    const parcel = this.parcels.get(Number(ids[0]));
    if (!parcel) return { status: 400, body: { message: 'Invalid order id', status_code: 400 } };
    const picked = parcel.scans.some((s) => !['3'].includes(s['sr-status']));
    if (picked) return { status: 400, body: { message: 'Order cannot be cancelled as it has already been picked up.', status_code: 400 } };
    parcel.cancelled = true;
    return { status: 200, body: { status: 200, message: 'Order cancelled successfully.' } };
  }

  private track(awb: string): SimResponse {
    const parcel = [...this.parcels.values()].find((p) => p.awb === awb);
    if (!parcel)
      return {
        status: 200,
        body: {
          tracking_data: {
            track_status: 0,
            shipment_status: 0,
            error: `Aahh! There is no activities found in our DB. Please have some patience it will be updated soon.`,
          },
        },
      };
    const latest = parcel.scans.at(-1);
    return {
      status: 200,
      body: {
        tracking_data: {
          track_status: 1,
          shipment_status: latest ? Number(latest['sr-status']) : 0,
          shipment_track: [
            {
              id: parcel.shipmentId,
              awb_code: parcel.awb,
              courier_company_id: 12,
              current_status: latest?.['sr-status-label'] ?? 'NEW',
              origin: 'Bengaluru',
              destination: 'Bengaluru',
            },
          ],
          // Shiprocket lists activities newest first.
          shipment_track_activities: [...parcel.scans].reverse(),
          track_url: `https://shiprocket.co/tracking/${awb}`,
          etd: istDate(new Date(Date.now() + 2 * 86_400_000)),
        },
      },
    };
  }
}
