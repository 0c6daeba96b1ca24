import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { toInt } from '../config/configuration.js';
import { extendEnvironment } from '../config/environment-extensions.js';

/** Shipping's own variables; each carrier declares its credentials and API base in its descriptor. */
export class ShippingEnvironment {
  @Transform(toInt) @IsInt() @Min(1000) @Max(120_000) SHIPPING_CARRIER_TIMEOUT_MS = 20_000;
  /** How often the polling job runs, and how long a tracked parcel waits between two polls. */
  @Transform(toInt) @IsInt() @Min(1) SHIPPING_POLL_INTERVAL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(60) SHIPPING_POLL_EVERY_SECONDS = 1800;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) SHIPPING_POLL_BATCH_SIZE = 50;
}

extendEnvironment('shipping', { variables: ShippingEnvironment });
