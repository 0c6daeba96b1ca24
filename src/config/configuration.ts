import path from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { developmentJwtSecret } from './development-jwt-secret.js';
import { environmentExtensions, type VariablesClass } from './environment-extensions.js';

/** The role the brands migration creates for the app (README "Brands"). */
export const DEFAULT_APP_ROLE = 'orderline_app';

/** Whole numbers only: "3000" is 3000, while "3e3", "0x10", "12abc" and " " stay strings and fail @IsInt. */
export const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value);
const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };
/** Every boolean variable accepts true/false, 1/0 and yes/no (any case); anything else stays a string and fails @IsBoolean. */
export const parseBoolean = (value: unknown): unknown =>
  typeof value === 'string' ? (BOOLEAN_WORDS[value.trim().toLowerCase()] ?? value) : value;
export const toBool = ({ value }: { value: unknown }) => parseBoolean(value);
const BOOLEAN = { message: '$property must be true or false (also accepted: 1/0, yes/no)' };

/**
 * The environment variables of the base (server, database, auth, jobs, outbox). Modules above it add their own through
 * extendEnvironment (config/environment-extensions.ts). `.env.example` and the README document every one.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test']) NODE_ENV: 'development' | 'production' | 'test' = 'development';
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  /**
   * Processes serving HTTP on this machine: 1 (the default) is one process; more (or `auto`, one per available core) is
   * a primary that prepares the database once and that many workers behind the same port, each an instance.
   */
  @Matches(/^(auto|[1-9][0-9]?)$/, { message: 'WEB_CONCURRENCY must be auto or a whole number from 1 to 99' })
  WEB_CONCURRENCY = '1';
  /**
   * Where customers reach this install (the links in their messages): scheme, host and port. Brands with a host of their
   * own are linked there instead (README "Brands"). Default: http://localhost:<PORT>.
   */
  @IsOptional() @IsString() PUBLIC_URL!: string;
  @IsOptional() @IsString() DATABASE_URL?: string;
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) EMBEDDED_PG_PORT = 54329;
  @IsString() EMBEDDED_PG_DIR = '.data';
  @Transform(toInt) @IsInt() @Min(1) @Max(200) DB_POOL_SIZE = 10;
  /** How long a request may wait for a database connection (the pg pool's connect timeout and Prisma's transaction maxWait). */
  @Transform(toInt) @IsInt() @Min(100) @Max(120_000) DB_CONNECTION_WAIT_MS = 5000;
  @Transform(toInt) @IsInt() @Min(1) @Max(50) TX_MAX_ATTEMPTS = 12;
  /** The role the app's connections switch to (SET ROLE) so row-level security applies to them; 'none' keeps the login role. */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DB_APP_ROLE must be a PostgreSQL role name (lower case, digits, _) or none' })
  DB_APP_ROLE = DEFAULT_APP_ROLE;
  @IsOptional() @IsString() JWT_SECRET?: string;
  @IsString() JWT_EXPIRES_IN = '1h';
  @Transform(toInt) @IsInt() @Min(4) @Max(15) BCRYPT_ROUNDS = 10;
  @Transform(toInt) @IsInt() @Min(10) RESERVATION_TTL_SECONDS = 900;
  @Transform(toInt) @IsInt() @Min(1) EXPIRY_INTERVAL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) @Max(10000) EXPIRY_BATCH_SIZE = 500;
  @Transform(toInt) @IsInt() @Min(0) @Max(60000) IDEMPOTENCY_WAIT_MS = 2000;
  @Transform(toInt) @IsInt() @Min(10) @Max(86_400) IDEMPOTENCY_STALE_SECONDS = 60;
  /** Hysteresis of stock announcements: how far above the threshold (or zero) stock must rise to be announced again. */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) LOW_STOCK_MARGIN = 2;
  @Transform(toBool) @IsBoolean(BOOLEAN) SCHEDULER_ENABLED = true;
  /** Many brands on one install (README "Brands"): brand sign-up, platform admins, brand resolution by path prefix or host. */
  @Transform(toBool) @IsBoolean(BOOLEAN) PLATFORM_MODE = false;
  /** Platform mode: `<brand slug>.<PLATFORM_DOMAIN>` serves that brand (subdomains), besides the hosts mapped per brand. */
  @IsOptional()
  @Matches(/^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    message: 'PLATFORM_DOMAIN must be a lower-case host name such as shops.example.com',
  })
  PLATFORM_DOMAIN?: string;
  /** Platform mode: checkouts of one brand in flight at once per instance (default DB_POOL_SIZE - 2, at least 1). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(200) CHECKOUT_BRAND_CONCURRENCY?: number;
  @Transform(toBool) @IsBoolean(BOOLEAN) SEED_DEMO_DATA = true;
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' }) ADMIN_EMAIL = 'admin@orderline.local';
  @IsOptional() @Length(8, 72, { message: 'ADMIN_PASSWORD must be 8 to 72 characters' }) ADMIN_PASSWORD?: string;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL:
    'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';
  @Transform(toBool) @IsBoolean(BOOLEAN) LOG_REQUESTS = true;
  @IsIn(['auto', 'json', 'pretty']) LOG_FORMAT: 'auto' | 'json' | 'pretty' = 'auto';
  @IsString() CORS_ORIGINS = '';
  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'BODY_LIMIT must be a size such as 100kb or 1mb' }) BODY_LIMIT = '100kb';
  @IsString() TRUST_PROXY = 'false';
  @Transform(toBool) @IsBoolean(BOOLEAN) RATE_LIMIT_ENABLED = true;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_TTL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_LIMIT = 300;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_STRICT_TTL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(1) RATE_LIMIT_STRICT_LIMIT = 20;
  /** Drop checkouts this instance runs at once; the rest wait in its FIFO waiting room (README "Drops"). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) DROP_ADMISSION_CONCURRENCY = 8;
  /** How long the drop waiting room may stand still (no checkout finishing) before its waiters are told to retry (429). */
  @Transform(toInt) @IsInt() @Min(100) @Max(120_000) DROP_QUEUE_TIMEOUT_MS = 10_000;
  /** Drop checkouts admitted per client IP / per phone per window, counted in PostgreSQL (so across instances). */
  @Transform(toInt) @IsInt() @Min(1) DROP_RATE_LIMIT_PER_IP = 60;
  @Transform(toInt) @IsInt() @Min(1) DROP_RATE_LIMIT_PER_PHONE = 5;
  @Transform(toInt) @IsInt() @Min(1) @Max(86_400) DROP_RATE_LIMIT_WINDOW_SECONDS = 60;
  @Transform(toBool) @IsBoolean(BOOLEAN) METRICS_ENABLED = true;
  @IsOptional() @IsString() METRICS_TOKEN?: string;
  @Transform(toInt) @IsInt() @Min(0) SHUTDOWN_TIMEOUT_MS = 10_000;
  @IsOptional() @IsString() ENCRYPTION_KEY?: string;
  @IsOptional() @IsString() ENCRYPTION_KEYS?: string;
  @Transform(toInt) @IsInt() @Min(50) OUTBOX_INTERVAL_MS = 1000;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) OUTBOX_BATCH_SIZE = 50;
  @Transform(toInt) @IsInt() @Min(1) @Max(100) OUTBOX_CONCURRENCY = 8;
  @Transform(toInt) @IsInt() @Min(1) @Max(50) OUTBOX_MAX_ATTEMPTS = 12;
  @Transform(toInt) @IsInt() @Min(1) OUTBOX_BACKOFF_BASE_MS = 10_000;
  @Transform(toInt) @IsInt() @Min(1) OUTBOX_BACKOFF_MAX_MS = 21_600_000;
  @Transform(toInt) @IsInt() @Min(100) OUTBOX_DELIVERY_TIMEOUT_MS = 10_000;
  @Transform(toInt) @IsInt() @Min(0) OUTBOX_RETENTION_DAYS = 14;
  /** Live event streams (server-sent events): open streams per instance, and the heartbeat that keeps them open. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100_000) LIVE_MAX_CONNECTIONS = 2000;
  @Transform(toInt) @IsInt() @Min(1) @Max(300) LIVE_HEARTBEAT_SECONDS = 15;
  /** How long a cached public product read may be served at most (changes drop it at once); 0 turns the cache off. */
  @Transform(toInt) @IsInt() @Min(0) @Max(3600) CATALOGUE_CACHE_SECONDS = 30;
}

/** The development secret earlier versions used when JWT_SECRET was unset: public, so production refuses it. */
const DEV_JWT_SECRET = 'orderline-development-secret-not-for-production';

/** An http(s) origin, with nothing after the host and port but an optional "/". */
function isPublicUrl(value: string): boolean {
  if (!/^https?:\/\/[^/?#\s@]+\/?$/i.test(value) || !URL.canParse(value)) return false;
  return new URL(value).hostname !== '';
}

/** Every problem of a configuration, one line each ("PORT: must be an integer number (got \"abc\")"). */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

/** Values of these variables are never repeated in an error message. */
const SECRET_VARIABLE = /SECRET|TOKEN|PASSWORD|KEY|_URL$/;

function describeInvalid(error: ValidationError): string {
  const constraints = error.constraints ?? {};
  // "abc" for a port breaks every numeric rule; saying it is not a whole number is the one that helps.
  const relevant = constraints.isInt ? [constraints.isInt] : Object.values(constraints);
  const messages = relevant.map((m) => m.replace(new RegExp(`^${error.property} `), ''));
  const got = SECRET_VARIABLE.test(error.property) ? '' : ` (got ${JSON.stringify(error.value)})`;
  return `${error.property}: ${messages.join('; ')}${got}`;
}

/**
 * The one reader of the environment: validates and types every variable Orderline uses. main.ts calls it before
 * anything starts, and the app's ConfigService serves its result. Throws ConfigurationError listing every problem.
 */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  // A variable set to nothing (`PORT=` in .env) means its default, for every variable alike.
  const given = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''));
  const config = plainToInstance(EnvironmentVariables, given, { exposeDefaultValues: true });
  // Demo products only where someone is trying Orderline out, unless asked for; the first admin is created regardless.
  if (given.SEED_DEMO_DATA === undefined) config.SEED_DEMO_DATA = config.NODE_ENV !== 'production';
  const validate = (variables: object) => validateSync(variables, { skipMissingProperties: false, whitelist: false }).map(describeInvalid);
  const problems = validate(config);
  // Typed as always set: it is, once validated (the default filled in below).
  const publicUrl = config.PUBLIC_URL as string | undefined;
  if (publicUrl !== undefined && !isPublicUrl(publicUrl))
    problems.push('PUBLIC_URL: must be an http(s) URL of scheme, host and port only, such as https://shop.example.com');
  const extensions = environmentExtensions();
  for (const { variables } of extensions) {
    const names = variables ? variableNames(variables) : [];
    if (!variables || !names.length) continue;
    const extended = plainToInstance(variables, pick(given, names), { exposeDefaultValues: true });
    problems.push(...validate(extended));
    Object.assign(config, extended);
  }
  if (config.NODE_ENV === 'production') {
    if (!config.JWT_SECRET) problems.push('JWT_SECRET: required in production');
    else if (config.JWT_SECRET.length < 32 || config.JWT_SECRET === DEV_JWT_SECRET)
      problems.push('JWT_SECRET: must be at least 32 characters of random data in production');
  }
  for (const { check } of extensions) problems.push(...(check?.(config as unknown as Record<string, unknown>) ?? []));
  if (problems.length) throw new ConfigurationError(problems);
  config.PUBLIC_URL = new URL(publicUrl ?? `http://localhost:${config.PORT}`).origin;
  // Only for a configuration that starts: a refused one must leave nothing behind (no data directory, no secret file).
  if (config.NODE_ENV !== 'production') config.JWT_SECRET ||= developmentJwtSecret(path.resolve(config.EMBEDDED_PG_DIR));
  return config;
}

/** The variables a class declares (each has at least one validation decorator). */
const variableNames = (variables: VariablesClass): string[] => [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(variables, '', true, false)
      .map((m) => m.propertyName),
  ),
];

const pick = (values: Record<string, unknown>, names: string[]) =>
  Object.fromEntries(names.filter((n) => Object.hasOwn(values, n)).map((n) => [n, values[n]]));

/** Every variable Orderline reads: the base's and those the loaded modules declared. */
export function environmentVariableNames(): string[] {
  const classes = [EnvironmentVariables, ...environmentExtensions().flatMap(({ variables }) => (variables ? [variables] : []))];
  return [...new Set(classes.flatMap(variableNames))].sort();
}
