import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../../common/errors/domain-errors.js';
import { CarrierProvider, type BookedShipment, type CarrierDescriptor, type ShipmentRequest } from '../carrier-provider.js';

/**
 * A courier Orderline has no API for: staff book it themselves and type its name and tracking number (what
 * POST /orders/:id/fulfill always did), and report its progress with POST /shipments/:id/events.
 */
@Injectable()
export class ManualCarrier extends CarrierProvider {
  static readonly descriptor: CarrierDescriptor = { name: 'manual', label: 'Manual (any courier)', credentials: {}, manual: true };

  book(input: ShipmentRequest): Promise<BookedShipment> {
    if (!input.manual) {
      return Promise.reject(
        new InvalidInputError('Validation failed: manual', [
          { field: 'manual', errors: ['manual { carrierName, trackingNumber } is required for the manual carrier'] },
        ]),
      );
    }
    return Promise.resolve({
      awb: input.manual.trackingNumber,
      courierName: input.manual.carrierName,
      ...(input.manual.trackingUrl && { trackingUrl: input.manual.trackingUrl }),
    });
  }

  label(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  cancel(): Promise<void> {
    return Promise.resolve();
  }
}
