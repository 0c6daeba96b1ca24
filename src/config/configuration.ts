import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min, validateSync } from 'class-validator';

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
  @Transform(toBool) @IsBoolean() SCHEDULER_ENABLED = true;
  @Transform(toBool) @IsBoolean() SEED_DEMO_DATA = true;
  @IsOptional() @IsString() ADMIN_EMAIL?: string;
  @IsOptional() @IsString() ADMIN_PASSWORD?: string;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
}

export type AppConfig = EnvironmentVariables;

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
    config.JWT_SECRET ??= DEV_JWT_SECRET;
  }
  if (problems.length) throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
