import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { toInt } from '../config/configuration.js';
import { extendEnvironment } from '../config/environment-extensions.js';

/**
 * The environment variables of payments as a whole. Each provider declares its own (credentials, API base and the
 * like) in its descriptor, and the registry passes them on.
 */
export class PaymentEnvironment {
  @Transform(toInt) @IsInt() @Min(1000) @Max(120_000) PAYMENT_PROVIDER_TIMEOUT_MS = 20_000;
  @Transform(toInt) @IsInt() @Min(1) PAYMENT_RECOVERY_INTERVAL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) @Max(100) PAYMENT_TX_CONCURRENCY = 8;
}

extendEnvironment('payments', { variables: PaymentEnvironment });
