import path from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { checkNotificationConfig, DEFAULT_NOTIFY_EVENTS } from '../notifications/notification-config.js';
import { checkEncryptionKey } from '../common/crypto/encryption-key-config.js';
import { checkPaymentConfig, RAZORPAY_API_BASE_DEFAULT, STRIPE_API_BASE_DEFAULT } from '../payments/payment-config.js';
import { checkWebhookTargetConfig } from '../webhook-endpoints/webhook-targets.js';
import { developmentJwtSecret } from './development-jwt-secret.js';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes'].includes(String(value).toLowerCase());

/** Every environment variable Orderline reads. `.env.example` documents each one. */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test']) NODE_ENV: 'development' | 'production' | 'test' = 'development';
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @IsOptional() @IsString() DATABASE_URL?: string;
  @Transform(toInt) @IsInt() @Min(1) @Max(200) DB_POOL_SIZE = 10;
  @Transform(toInt) @IsInt() @Min(1) @Max(50) TX_MAX_ATTEMPTS = 12;
  @IsOptional() @IsString() JWT_SECRET?: string;
  @IsString() JWT_EXPIRES_IN = '1h';
  @Transform(toInt) @IsInt() @Min(4) @Max(15) BCRYPT_ROUNDS = 10;
  @Transform(toInt) @IsInt() @Min(10) RESERVATION_TTL_SECONDS = 900;
  @Transform(toInt) @IsInt() @Min(1) EXPIRY_INTERVAL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) @Max(10000) EXPIRY_BATCH_SIZE = 500;
  @Transform(toInt) @IsInt() @Min(0) @Max(60000) IDEMPOTENCY_WAIT_MS = 2000;
  @Transform(toBool) @IsBoolean() SCHEDULER_ENABLED = true;
  @Transform(toBool) @IsBoolean() SEED_DEMO_DATA = true;
  @IsOptional() @IsString() ADMIN_EMAIL?: string;
  @IsOptional() @IsString() ADMIN_PASSWORD?: string;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  @Transform(toBool) @IsBoolean() LOG_REQUESTS = true;
  @IsString() CORS_ORIGINS = '';
  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'BODY_LIMIT must be a size such as 100kb or 1mb' }) BODY_LIMIT = '100kb';
  @IsString() TRUST_PROXY = 'false';
  @Transform(toBool) @IsBoolean() RATE_LIMIT_ENABLED = true;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_TTL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_LIMIT = 300;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_STRICT_TTL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_STRICT_LIMIT = 20;
  @Transform(toBool) @IsBoolean() METRICS_ENABLED = true;
  @IsOptional() @IsString() METRICS_TOKEN?: string;
  @Transform(toInt) @IsInt() @Min(0) SHUTDOWN_TIMEOUT_MS = 10_000;
  @IsOptional() @IsString() ENCRYPTION_KEY?: string;
  @Transform(toInt) @IsInt() @Min(50) OUTBOX_INTERVAL_MS = 1000;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) OUTBOX_BATCH_SIZE = 50;
  @Transform(toInt) @IsInt() @Min(1) @Max(100) OUTBOX_CONCURRENCY = 8;
  @Transform(toInt) @IsInt() @Min(1) @Max(50) OUTBOX_MAX_ATTEMPTS = 12;
  @Transform(toInt) @IsInt() @Min(1) OUTBOX_BACKOFF_BASE_MS = 10_000;
  @Transform(toInt) @IsInt() @Min(1) OUTBOX_BACKOFF_MAX_MS = 21_600_000;
  @Transform(toInt) @IsInt() @Min(100) OUTBOX_DELIVERY_TIMEOUT_MS = 10_000;
  @Transform(toInt) @IsInt() @Min(0) OUTBOX_RETENTION_DAYS = 14;
  @Transform(toBool) @IsBoolean() WEBHOOK_ALLOW_PRIVATE_TARGETS = false;
  @IsString() NOTIFY_EVENTS = DEFAULT_NOTIFY_EVENTS;
  @IsString() NOTIFICATION_LOCALE = 'en';
  @IsOptional() @IsString() TRACKING_URL_TEMPLATE?: string;
  @IsOptional() @IsString() WHATSAPP_ACCESS_TOKEN?: string;
  @IsOptional() @IsString() WHATSAPP_PHONE_NUMBER_ID?: string;
  @IsString() WHATSAPP_API_BASE_URL = 'https://graph.facebook.com';
  @IsString() WHATSAPP_API_VERSION = 'v21.0';
  @IsString() WHATSAPP_TEMPLATE_LANGUAGE = 'en';
  @IsString() WHATSAPP_TEMPLATE_PREFIX = '';
  @IsOptional() @IsString() TWILIO_ACCOUNT_SID?: string;
  @IsOptional() @IsString() TWILIO_AUTH_TOKEN?: string;
  @IsOptional() @IsString() TWILIO_FROM?: string;
  @IsOptional() @IsString() TWILIO_API_BASE_URL?: string;
  @IsOptional() @IsString() SMTP_URL?: string;
  @IsOptional() @IsString() SMTP_FROM?: string;
  @IsOptional() @IsString() STRIPE_SECRET_KEY?: string;
  @IsOptional() @IsString() STRIPE_PUBLISHABLE_KEY?: string;
  @IsOptional() @IsString() STRIPE_WEBHOOK_SECRET?: string;
  @IsOptional() @IsString() RAZORPAY_KEY_ID?: string;
  @IsOptional() @IsString() RAZORPAY_KEY_SECRET?: string;
  @IsOptional() @IsString() RAZORPAY_WEBHOOK_SECRET?: string;
  @IsString() STRIPE_API_BASE = STRIPE_API_BASE_DEFAULT;
  @IsString() RAZORPAY_API_BASE = RAZORPAY_API_BASE_DEFAULT;
  @Transform(toInt) @IsInt() @Min(1000) @Max(120_000) PAYMENT_PROVIDER_TIMEOUT_MS = 20_000;
  @Transform(toInt) @IsInt() @Min(10) @Max(3600) STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;
  @Transform(toInt) @IsInt() @Min(1) PAYMENT_RECOVERY_INTERVAL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) @Max(100) PAYMENT_TX_CONCURRENCY = 2;
  @Transform(toInt) @IsInt() @Min(1) @Max(100_000) LIVE_MAX_CONNECTIONS = 2000;
  @Transform(toInt) @IsInt() @Min(1) @Max(300) LIVE_HEARTBEAT_SECONDS = 15;
}

/** The development secret earlier versions used when JWT_SECRET was unset: public, so production refuses it. */
const DEV_JWT_SECRET = 'orderline-development-secret-not-for-production';

/** Validates process.env at start; a bad value stops the process with a message naming the variable. */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const config = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false, whitelist: false });
  const problems = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`);
  if (config.NODE_ENV === 'production') {
    if (!config.JWT_SECRET) problems.push('JWT_SECRET: required in production');
    else if (config.JWT_SECRET.length < 32 || config.JWT_SECRET === DEV_JWT_SECRET)
      problems.push('JWT_SECRET: must be at least 32 characters of random data in production');
  } else {
    config.JWT_SECRET ||= developmentJwtSecret(path.resolve(String(raw.EMBEDDED_PG_DIR || '.data')));
  }
  problems.push(...checkEncryptionKey(config), ...checkNotificationConfig(config), ...checkPaymentConfig(config), ...checkWebhookTargetConfig(config));
  if (problems.length) throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
