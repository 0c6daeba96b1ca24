import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { OrderTransitionsModule } from '../orders/order-transitions.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { Carriers } from './carriers.js';
import { ParcelEvents } from './parcel-events.service.js';
import { ShipmentsService } from './shipments.service.js';
import { CarrierWebhooks } from './carrier-webhooks.service.js';
import { TrackingPollJob } from './tracking-poll.job.js';
import { ShipmentsController } from './shipments.controller.js';
import { CarrierWebhooksController } from './carrier-webhooks.controller.js';
import './shipping-config.js';

/**
 * Shipping: the registered carriers (carriers/), booking, tracking webhooks and polling, NDR and return to origin.
 * The only module that talks to carriers. Parcel progress is order state (the state machine's parcel events); money
 * (cash collected on delivery, its remittance) goes through orders' PaymentGateway port.
 */
@Module({
  imports: [AuditModule, BrandsModule, IdempotencyModule, OrderTransitionsModule, SettingsModule],
  controllers: [ShipmentsController, CarrierWebhooksController],
  providers: [Carriers, ParcelEvents, ShipmentsService, CarrierWebhooks, TrackingPollJob],
})
export class ShippingModule {}
