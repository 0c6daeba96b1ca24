import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { providerActor } from '../common/actor.js';
import { NotFoundError } from '../common/errors/domain-errors.js';
import type { RequestHeaders } from '../common/http/headers.js';
import { InvalidCarrierWebhookError } from './carrier-provider.js';
import { Carriers } from './carriers.js';
import { ParcelEvents } from './parcel-events.service.js';

export class TrackingWebhookReceipt {
  @ApiProperty() received!: boolean;
  @ApiProperty({
    type: [String],
    enum: ['APPLIED', 'STALE', 'IGNORED', 'DUPLICATE', 'UNKNOWN_PARCEL'],
    description: 'Per event in the delivery',
  })
  outcomes!: string[];
}

/** Verifies a carrier's tracking webhook and applies its events (ParcelEvents: once each, never backwards). */
@Injectable()
export class CarrierWebhooks {
  constructor(
    private readonly carriers: Carriers,
    private readonly parcelEvents: ParcelEvents,
  ) {}

  async receive(path: string, rawBody: Buffer | undefined, headers: RequestHeaders): Promise<TrackingWebhookReceipt> {
    const carrier = this.carriers.byWebhookPath(path);
    if (!carrier?.parseWebhook) throw new NotFoundError('Carrier webhook', path);
    if (!rawBody?.length) throw new InvalidCarrierWebhookError('the body is empty');
    const events = await carrier.parseWebhook(rawBody, headers);
    const outcomes = await this.parcelEvents.apply(carrier.name, events, 'webhook', providerActor(carrier.name));
    return { received: true, outcomes };
  }
}
