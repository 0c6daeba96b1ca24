import createClient, { type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
/** The API's request and response shapes by schema name: `Schemas['OrderResponse']`. */
export type Schemas = components['schemas'];

/** A typed client for every operation of the Orderline API (openapi-fetch over the generated schema). */
export function createOrderlineClient(options: ClientOptions = {}) {
  return createClient<paths>(options);
}

export type OrderlineClient = ReturnType<typeof createOrderlineClient>;

/** An error answer of the API in its one error shape, with the request id to quote to support or find in the logs. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId: string | null,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Field errors (`[{ field, errors }]`) when the API sent them (validation failures). */
  get fieldErrors(): { field: string; errors: string[] }[] {
    const isFieldError = (d: unknown): d is { field: string; errors: string[] } =>
      typeof d === 'object' &&
      d !== null &&
      typeof (d as { field?: unknown }).field === 'string' &&
      Array.isArray((d as { errors?: unknown }).errors);
    return Array.isArray(this.details) ? this.details.filter(isFieldError) : [];
  }
}

/** What every openapi-fetch call resolves to. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The data of a successful call, or an ApiError carrying the API's message and request id. A network failure rejects
 * as it does with fetch (TypeError).
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { message?: unknown; details?: unknown };
  const message = typeof body.message === 'string' && body.message ? body.message : `${response.status} ${response.statusText}`.trim();
  throw new ApiError(response.status, message, response.headers.get('X-Request-Id'), body.details);
}
