import { Injectable, type Type } from '@nestjs/common';
import { DomainError, InvalidInputError, ServiceUnavailableError } from '../common/errors/domain-errors.js';
import type { RequestHeaders } from '../common/http/headers.js';
import type { VariablesClass } from '../config/environment-extensions.js';
import type { CredentialFields } from '../settings/credential-catalogue.js';
import { SettingsService } from '../settings/settings.service.js';

/** A parcel's progress as Orderline acts on it; every carrier maps its own status codes onto these. */
export const PARCEL_STATUSES = [
  'IN_TRANSIT',
  'OUT_FOR_DELIVERY',
  'DELIVERED',
  'DELIVERY_FAILED',
  'RTO_INITIATED',
  'RTO_DELIVERED',
  'CANCELLED',
] as const;
export type ParcelStatus = (typeof PARCEL_STATUSES)[number];

export interface PackageSize {
  weightGrams: number;
  lengthCm: number;
  breadthCm: number;
  heightCm: number;
}

/** What a carrier needs to book one order's parcel. Amounts are our minor units. */
export interface ShipmentRequest {
  /** Our shipment id: the carrier-side order reference, so a retried booking finds the same carrier order. */
  shipmentId: string;
  orderNumber: string;
  orderedAt: Date;
  customer: { name: string; phone: string; email: string | null };
  address: { line1: string; line2?: string; city: string; state?: string; postalCode: string; country: string };
  items: { sku: string; name: string; quantity: number; unitPriceMinor: number }[];
  totalMinor: number;
  currency: string;
  /** What the courier collects (cash on delivery), 0 for prepaid. */
  codAmountMinor: number;
  package: PackageSize;
  /** The manual carrier's booking: what staff typed. */
  manual?: { carrierName: string; trackingNumber: string; trackingUrl?: string };
}

export interface BookedShipment {
  carrierOrderId?: string;
  carrierShipmentId?: string;
  awb: string;
  courierName: string;
  labelUrl?: string;
  trackingUrl?: string;
}

/** One tracking update from a carrier (webhook, poll or staff), in Orderline's terms. */
export interface CarrierEvent {
  /** Unique per carrier: duplicates (a webhook resent, the same scan polled again) are dropped by it. */
  eventId: string;
  awb: string;
  /** null for carrier statuses Orderline records but does not act on (pickup scheduled, manifested...). */
  parcelStatus: ParcelStatus | null;
  carrierStatus: string;
  /** Why a delivery failed (NDR), when the carrier says. */
  reason?: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

/**
 * What a carrier is, declared once in its class (`static readonly descriptor`) and read by the registry: the booking
 * `carrier` names, the webhook route, the credential fields of /admin/settings and the documentation come from here.
 */
export interface CarrierDescriptor {
  /** Lower case: the booking's `carrier`, the key of its settings credentials. */
  name: string;
  label: string;
  /** Its credentials: bookable only while the required ones are set (environment, or /admin/settings). */
  credentials: CredentialFields;
  /**
   * Present when it sends tracking webhooks (implements parseWebhook): POST /shipping/webhooks/{path}. A path of its
   * own because some carriers refuse webhook URLs that contain their name.
   */
  webhook?: { path: string; headers: readonly { name: string; description: string }[] };
  /** Tracked by polling (implements track): the polling job asks it about parcels that move. */
  polled?: boolean;
  /** Booked with what staff type (carrier name, tracking number) instead of a carrier API. */
  manual?: boolean;
  environment?: VariablesClass;
  checkEnvironment?: (config: Record<string, unknown>) => string[];
}

/** The base of every carrier adapter: one class per carrier in carriers/, one registration line in carriers/index.ts. */
@Injectable()
export abstract class CarrierProvider {
  constructor(protected readonly settings: SettingsService) {}

  get descriptor(): CarrierDescriptor {
    return (this.constructor as CarrierProviderClass).descriptor;
  }

  get name(): string {
    return this.descriptor.name;
  }

  /** Its credentials in effect (settings, else the environment), read on every call; undefined while a required one is missing. */
  protected async credentials(): Promise<Record<string, string | undefined> | undefined> {
    const fields = this.descriptor.credentials;
    const names = Object.keys(fields);
    const values = await Promise.all(names.map((field) => this.settings.credential(this.name, field)));
    const ok = names.every((field, i) => values[i] || fields[field].required === false);
    return ok ? Object.fromEntries(names.map((field, i) => [field, values[i]])) : undefined;
  }

  protected async requireCredentials(): Promise<Record<string, string | undefined>> {
    const credentials = await this.credentials();
    if (!credentials) throw new CarrierNotConfiguredError(this.name);
    return credentials;
  }

  async isEnabled(): Promise<boolean> {
    return (await this.credentials()) !== undefined;
  }

  /** Books the parcel: carrier order, AWB (tracking number) and label. Idempotent on input.shipmentId. */
  abstract book(input: ShipmentRequest): Promise<BookedShipment>;

  /** A fresh label URL for a booked parcel (labels expire at some carriers); undefined where there is none. */
  abstract label(shipment: { carrierShipmentId: string | null; awb: string }): Promise<string | undefined>;

  /** Cancels a booked parcel that has not been picked up. */
  abstract cancel(shipment: { carrierOrderId: string | null; awb: string }): Promise<void>;

  /** Everything the carrier knows about a parcel, as events (descriptor.polled). */
  track?(awb: string): Promise<CarrierEvent[]>;

  /** Verifies a tracking webhook (descriptor.webhook) and parses it. Throws InvalidCarrierWebhookError. */
  parseWebhook?(rawBody: Buffer, headers: RequestHeaders): Promise<CarrierEvent[]>;
}

export type CarrierProviderClass = Type<CarrierProvider> & { readonly descriptor: CarrierDescriptor };

export class CarrierNotConfiguredError extends ServiceUnavailableError {
  constructor(carrier: string) {
    super(`Carrier ${carrier} is not configured (set its credentials in /admin/settings)`);
  }
}

export class InvalidCarrierWebhookError extends InvalidInputError {
  constructor(reason: string) {
    super(`Tracking webhook verification failed: ${reason}`);
  }
}

/** The carrier answered and refused (4xx): the same request cannot succeed (bad pincode, weight, no serviceable courier). */
export class CarrierRejectedError extends DomainError {
  readonly status = 422;
  constructor(carrier: string, message: string) {
    super(`${carrier} refused the request: ${message}`, { carrier });
  }
}

/** The carrier could not be reached or failed (network, timeout, 5xx): retrying may work. */
export class CarrierUnavailableError extends ServiceUnavailableError {
  constructor(carrier: string, reason: string) {
    super(`${carrier} is unavailable: ${reason}`);
  }
}
