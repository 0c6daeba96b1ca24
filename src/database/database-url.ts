import { extendEnvironment } from '../config/environment-extensions.js';
import { errorLike, text } from '../common/errors/error-like.js';

/** The URL schemes the pg driver understands. */
const SCHEMES = new Set(['postgres:', 'postgresql:']);

/**
 * Start-up checks of DATABASE_URL: a PostgreSQL URL when set, and set in production (the embedded PostgreSQL is for
 * development and tests only). The URL's password is never repeated.
 */
export function checkDatabaseUrl(config: { NODE_ENV: string; DATABASE_URL?: string }): string[] {
  const value = config.DATABASE_URL;
  if (!value) {
    return config.NODE_ENV === 'production'
      ? [
          'DATABASE_URL: required in production (the embedded PostgreSQL is for development only): postgresql://user:password@host:5432/database',
        ]
      : [];
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return ['DATABASE_URL: not a valid URL; expected postgresql://user:password@host:5432/database'];
  }
  if (!SCHEMES.has(url.protocol))
    return [`DATABASE_URL: unsupported scheme "${url.protocol.replace(/:$/, '')}"; expected postgresql://user:password@host:5432/database`];
  if (!url.hostname && !url.searchParams.get('host'))
    return ['DATABASE_URL: no host; expected postgresql://user:password@host:5432/database'];
  return [];
}

extendEnvironment('database', { check: (config) => checkDatabaseUrl(config as { NODE_ENV: string; DATABASE_URL?: string }) });

/** Host, port, user and database of a PostgreSQL URL, for messages (never the password). */
export function describeDatabaseUrl(value: string): { host: string; port: string; user: string; database: string } {
  try {
    const url = new URL(value);
    return {
      host: url.hostname || url.searchParams.get('host') || 'localhost',
      port: url.port || '5432',
      user: decodeURIComponent(url.username) || 'postgres',
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres',
    };
  } catch {
    return { host: '?', port: '?', user: '?', database: '?' };
  }
}

/** An error whose message says what failed in terms of DATABASE_URL, instead of the driver's raw text. */
export class DatabaseConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseConnectionError';
  }
}

/**
 * Turns a connection failure into one line naming what failed: host not found, nothing listening, wrong password,
 * missing database, TLS, timeout. `source` names where the URL came from (DATABASE_URL, or the embedded server).
 */
export function describeConnectionError(error: unknown, databaseUrl: string, source = 'DATABASE_URL'): DatabaseConnectionError {
  const { host, port, user, database } = describeDatabaseUrl(databaseUrl);
  const e = errorLike(error);
  const code = text(e?.code);
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const describe = (text: string) => new DatabaseConnectionError(`${source}: ${text}`, { cause: error });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return describe(`host "${host}" not found`);
  if (code === 'ECONNREFUSED') return describe(`nothing is listening on ${host}:${port} (is PostgreSQL running?)`);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /timeout/i.test(message))
    return describe(`could not reach ${host}:${port} (timed out)`);
  if (code === '28P01' || /password authentication failed/i.test(message))
    return describe(`password authentication failed for user "${user}" on ${host}:${port}`);
  if (code === '28000') return describe(`user "${user}" may not connect to ${host}:${port} (${message})`);
  if (code === '3D000') return describe(`database "${database}" does not exist on ${host}:${port}`);
  if (/SSL|TLS|certificate/i.test(message)) return describe(`TLS problem connecting to ${host}:${port}: ${message}`);
  if (code === 'SASL' || /SASL|client password must be a string/i.test(message))
    return describe(`password missing or rejected for user "${user}" on ${host}:${port}`);
  return describe(`could not connect to ${host}:${port}: ${message}`);
}
