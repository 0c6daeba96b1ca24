import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IsString } from 'class-validator';
import { checkApiBase } from '../../common/api-base.js';
import { headerValue, type RequestHeaders } from '../../common/http/headers.js';
import type { CredentialFields } from '../../settings/credential-catalogue.js';
import { SettingsService } from '../../settings/settings.service.js';
import type { ShippingEnvironment } from '../shipping-config.js';
import {
  CarrierProvider,
  CarrierRejectedError,
  CarrierUnavailableError,
  InvalidCarrierWebhookError,
  type BookedShipment,
  type CarrierDescriptor,
  type CarrierEvent,
  type ParcelStatus,
  type ShipmentRequest,
} from '../carrier-provider.js';

const CREDENTIALS = {
  email: {
    env: 'SHIPROCKET_EMAIL',
    pattern: /^\S+@\S+$/,
    message: 'email must be the email of a Shiprocket API user',
    description: 'API user email (Shiprocket: Settings → API → Configure)',
  },
  password: {
    env: 'SHIPROCKET_PASSWORD',
    pattern: /^.{4,256}$/,
    message: 'password must be 4 to 256 characters',
    description: 'API user password',
  },
  webhookToken: {
    env: 'SHIPROCKET_WEBHOOK_TOKEN',
    required: false,
    pattern: /^\S{8,256}$/,
    message: 'webhookToken must be 8 to 256 characters without spaces',
    description: 'The token set on the tracking webhook in Shiprocket (sent as x-api-key)',
  },
  pickupLocation: {
    env: 'SHIPROCKET_PICKUP_LOCATION',
    required: false,
    pattern: /^.{1,64}$/,
    message: 'pickupLocation must be 1 to 64 characters',
    description: 'The pickup location nickname in Shiprocket (default "Primary")',
  },
} as const satisfies CredentialFields;

const SHIPROCKET_API_BASE_DEFAULT = 'https://apiv2.shiprocket.in';
/** Shiprocket's tokens last 10 days; a new one is fetched a day early, and at once after a 401. */
const TOKEN_TTL_MS = 9 * 24 * 3600_000;

class ShiprocketEnvironment {
  /** Where API requests go: only tests and local development point them elsewhere (the carrier simulator). */
  @IsString() SHIPROCKET_API_BASE = SHIPROCKET_API_BASE_DEFAULT;
}

type ShiprocketConfig = ShiprocketEnvironment & { NODE_ENV: string; SHIPROCKET_EMAIL?: string; SHIPROCKET_PASSWORD?: string };

function checkShiprocketEnvironment(config: ShiprocketConfig): string[] {
  const problems = checkApiBase(
    'SHIPROCKET_API_BASE',
    config.SHIPROCKET_API_BASE,
    SHIPROCKET_API_BASE_DEFAULT,
    config.NODE_ENV === 'production',
  );
  if (Boolean(config.SHIPROCKET_EMAIL) !== Boolean(config.SHIPROCKET_PASSWORD))
    problems.push('SHIPROCKET_EMAIL and SHIPROCKET_PASSWORD: set both or neither');
  return problems;
}

/**
 * Shiprocket's status codes (shipment_status_id in webhooks, sr-status in tracking scans) that move a parcel. Others
 * (manifested, pickup scheduled, out for pickup, RTO in transit...) are recorded and shown, not acted on.
 */
const PARCEL_STATUS_BY_CODE: Readonly<Record<number, ParcelStatus>> = {
  6: 'IN_TRANSIT', // shipped
  7: 'DELIVERED',
  8: 'CANCELLED',
  9: 'RTO_INITIATED',
  10: 'RTO_DELIVERED',
  17: 'OUT_FOR_DELIVERY',
  18: 'IN_TRANSIT',
  21: 'DELIVERY_FAILED', // undelivered (NDR)
  22: 'IN_TRANSIT', // delayed
  38: 'IN_TRANSIT', // reached at destination hub
  42: 'IN_TRANSIT', // picked up
};

interface ShiprocketScan {
  date?: string;
  activity?: string;
  location?: string;
  'sr-status'?: string | number;
  'sr-status-label'?: string;
}

interface ShiprocketWebhook {
  awb?: string | number;
  current_status?: string;
  shipment_status?: string;
  shipment_status_id?: number | string;
  current_timestamp?: string;
  scans?: ShiprocketScan[];
}

/**
 * Shiprocket (apiv2.shiprocket.in): token auth (POST /v1/external/auth/login), an adhoc order per parcel (our shipment
 * id as its order_id, so a retried booking finds the same order), an AWB from the recommended courier, pickup, a
 * PDF label; tracking by AWB, and tracking webhooks that carry the token chosen in Shiprocket in `x-api-key`.
 * Shiprocket's times are India time (+05:30); its amounts are rupees.
 */
@Injectable()
export class ShiprocketCarrier extends CarrierProvider {
  static readonly descriptor: CarrierDescriptor = {
    name: 'shiprocket',
    label: 'Shiprocket',
    credentials: CREDENTIALS,
    // Shiprocket refuses webhook URLs that contain "shiprocket" (or "kartrocket", "sr", "kr").
    webhook: { path: 'parcel-updates', headers: [{ name: 'x-api-key', description: 'The token set on the webhook in Shiprocket' }] },
    polled: true,
    environment: ShiprocketEnvironment,
    checkEnvironment: (config) => checkShiprocketEnvironment(config as unknown as ShiprocketConfig),
  };

  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(settings: SettingsService, config: ConfigService<ShiprocketEnvironment & ShippingEnvironment, true>) {
    super(settings);
    this.base = config.get('SHIPROCKET_API_BASE', { infer: true }).replace(/\/$/, '');
    this.timeoutMs = config.get('SHIPPING_CARRIER_TIMEOUT_MS', { infer: true });
  }

  async book(input: ShipmentRequest): Promise<BookedShipment> {
    if (input.currency !== 'INR') throw new CarrierRejectedError(this.name, `ships in INR only (the order is in ${input.currency})`);
    const credentials = await this.requireCredentials();
    const rupees = (minor: number) => minor / 100;
    const [firstName, ...lastNames] = input.customer.name.trim().split(/\s+/);
    const created = await this.call<{ order_id: number; shipment_id: number; awb_code?: string; courier_name?: string }>(
      'POST',
      '/v1/external/orders/create/adhoc',
      {
        order_id: input.shipmentId,
        order_date: istTimestamp(input.orderedAt),
        pickup_location: credentials.pickupLocation ?? 'Primary',
        comment: `Orderline ${input.orderNumber}`,
        billing_customer_name: firstName,
        billing_last_name: lastNames.join(' '),
        billing_address: input.address.line1,
        billing_address_2: input.address.line2 ?? '',
        billing_city: input.address.city,
        billing_pincode: input.address.postalCode,
        billing_state: input.address.state ?? '',
        billing_country: countryName(input.address.country),
        billing_email: input.customer.email ?? '',
        billing_phone: input.customer.phone.replace(/\D/g, '').slice(-10),
        shipping_is_billing: true,
        order_items: input.items.map((i) => ({ name: i.name, sku: i.sku, units: i.quantity, selling_price: rupees(i.unitPriceMinor) })),
        payment_method: input.codAmountMinor > 0 ? 'COD' : 'Prepaid',
        sub_total: rupees(input.totalMinor),
        length: input.package.lengthCm,
        breadth: input.package.breadthCm,
        height: input.package.heightCm,
        weight: input.package.weightGrams / 1000,
      },
    );
    const shipmentId = created.shipment_id;
    let awb = created.awb_code;
    let courierName = created.courier_name;
    if (!awb) {
      const assigned = await this.call<{
        awb_assign_status: number;
        message?: string;
        response?: { data?: { awb_code?: string; courier_name?: string } };
      }>('POST', '/v1/external/courier/assign/awb', { shipment_id: shipmentId });
      awb = assigned.response?.data?.awb_code;
      courierName = assigned.response?.data?.courier_name;
      if (assigned.awb_assign_status !== 1 || !awb)
        throw new CarrierRejectedError(this.name, assigned.message ?? 'no courier could be assigned');
    }
    await this.call('POST', '/v1/external/courier/generate/pickup', { shipment_id: [shipmentId] });
    const labelUrl = await this.label({ carrierShipmentId: String(shipmentId), awb });
    return {
      carrierOrderId: String(created.order_id),
      carrierShipmentId: String(shipmentId),
      awb,
      courierName: courierName ? `Shiprocket (${courierName})` : 'Shiprocket',
      labelUrl,
      trackingUrl: `https://shiprocket.co/tracking/${encodeURIComponent(awb)}`,
    };
  }

  async label(shipment: { carrierShipmentId: string | null; awb: string }): Promise<string | undefined> {
    if (!shipment.carrierShipmentId) return undefined;
    const label = await this.call<{ label_created?: number; label_url?: string; response?: string }>(
      'POST',
      '/v1/external/courier/generate/label',
      { shipment_id: [Number(shipment.carrierShipmentId)] },
    );
    if (label.label_created !== 1 || !label.label_url)
      throw new CarrierRejectedError(this.name, label.response ?? 'the label was not created');
    return label.label_url;
  }

  async cancel(shipment: { carrierOrderId: string | null; awb: string }): Promise<void> {
    if (!shipment.carrierOrderId) throw new CarrierRejectedError(this.name, 'the parcel has no Shiprocket order to cancel');
    await this.call('POST', '/v1/external/orders/cancel', { ids: [Number(shipment.carrierOrderId)] });
  }

  override async track(awb: string): Promise<CarrierEvent[]> {
    const answer = await this.call<{ tracking_data?: { shipment_track_activities?: ShiprocketScan[] | null } }>(
      'GET',
      `/v1/external/courier/track/awb/${encodeURIComponent(awb)}`,
    );
    return (answer.tracking_data?.shipment_track_activities ?? []).flatMap((scan) => {
      const occurredAt = parseShiprocketTime(scan.date);
      const code = Number(scan['sr-status']);
      if (!occurredAt || !Number.isInteger(code)) return [];
      const carrierStatus = scan['sr-status-label'] ?? scan.activity ?? String(code);
      return [this.event(awb, code, carrierStatus, occurredAt, scan.activity, { ...scan })];
    });
  }

  override async parseWebhook(rawBody: Buffer, headers: RequestHeaders): Promise<CarrierEvent[]> {
    const token = (await this.credentials())?.webhookToken;
    if (!token) throw new InvalidCarrierWebhookError('no Shiprocket webhook token is configured');
    const given = headerValue(headers, 'x-api-key');
    if (!given) throw new InvalidCarrierWebhookError('the x-api-key header is missing');
    // Hashes compare in constant time whatever the lengths.
    const digest = (value: string) => createHash('sha256').update(value).digest();
    if (!timingSafeEqual(digest(given), digest(token))) throw new InvalidCarrierWebhookError('the x-api-key does not match');
    let body: ShiprocketWebhook;
    try {
      body = JSON.parse(rawBody.toString('utf8')) as ShiprocketWebhook;
    } catch {
      throw new InvalidCarrierWebhookError('the body is not JSON');
    }
    const awb = body.awb === undefined ? '' : String(body.awb);
    const code = Number(body.shipment_status_id);
    const occurredAt = parseShiprocketTime(body.current_timestamp);
    if (!awb || !Number.isInteger(code) || !occurredAt)
      throw new InvalidCarrierWebhookError('awb, shipment_status_id and current_timestamp are required');
    const latestScan = body.scans?.at(-1);
    const carrierStatus = body.shipment_status ?? body.current_status ?? String(code);
    return [this.event(awb, code, carrierStatus, occurredAt, latestScan?.activity, body as Record<string, unknown>)];
  }

  /** Webhooks and polled scans of the same status at the same moment get the same id, so either one counts once. */
  private event(
    awb: string,
    code: number,
    carrierStatus: string,
    occurredAt: Date,
    activity: string | undefined,
    payload: Record<string, unknown>,
  ): CarrierEvent {
    const parcelStatus = PARCEL_STATUS_BY_CODE[code] ?? null;
    return {
      eventId: `${awb}:${code}:${occurredAt.toISOString()}`,
      awb,
      parcelStatus,
      carrierStatus,
      ...(parcelStatus === 'DELIVERY_FAILED' && activity && { reason: activity }),
      occurredAt,
      payload,
    };
  }

  /** One API call with the cached token; a 401 fetches a new token and tries once more. */
  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const credentials = await this.requireCredentials();
    const key = createHash('sha256').update(`${credentials.email}\0${credentials.password}`).digest('hex');
    let response = await this.send(method, path, await this.token(key, credentials), body);
    if (response.status === 401) {
      this.tokens.delete(key);
      response = await this.send(method, path, await this.token(key, credentials), body);
    }
    return this.answer<T>(response);
  }

  private async token(key: string, credentials: Record<string, string | undefined>): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const response = await this.send('POST', '/v1/external/auth/login', undefined, {
      email: credentials.email,
      password: credentials.password,
    });
    if (response.status === 401 || response.status === 403 || response.status === 400)
      throw new CarrierUnavailableError(this.name, 'the API user email or password was refused; check them in /admin/settings');
    const { token } = await this.answer<{ token?: string }>(response);
    if (!token) throw new CarrierUnavailableError(this.name, 'login answered without a token');
    this.tokens.set(key, { token, expiresAt: Date.now() + TOKEN_TTL_MS });
    return token;
  }

  private async send(method: string, path: string, token: string | undefined, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CarrierUnavailableError(this.name, (error as Error).message);
    }
  }

  private async answer<T>(response: Response): Promise<T> {
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    if (response.ok) return parsed as T;
    const message =
      typeof (parsed as { message?: unknown }).message === 'string' ? (parsed as { message: string }).message : `HTTP ${response.status}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 429)
      throw new CarrierRejectedError(this.name, message);
    throw new CarrierUnavailableError(this.name, message);
  }
}

/** "2023-05-23 11:43" in India time, the order_date Shiprocket takes. */
function istTimestamp(at: Date): string {
  return new Date(at.getTime() + 330 * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** Shiprocket's times, India time: "2023-05-23 11:43:52" (scans) or "23 05 2023 11:43:52" (webhooks). */
export function parseShiprocketTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const iso = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  const dmy = /^(\d{2}) (\d{2}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  const parts: (string | undefined)[] | undefined = iso
    ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]]
    : dmy
      ? [dmy[3], dmy[2], dmy[1], dmy[4], dmy[5], dmy[6]]
      : undefined;
  if (!parts) return undefined;
  const [y, mo, d, h, mi, s] = parts;
  const at = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}+05:30`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

const COUNTRY_NAMES: Readonly<Record<string, string>> = { IN: 'India' };
const countryName = (code: string) => COUNTRY_NAMES[code.toUpperCase()] ?? code;
