import { createOrderlineClient, type OrderlineClient } from '@orderline/client';
import { apiBaseUrl } from '../../lib/brand-base.js';

let client: OrderlineClient | undefined;

/** The typed API client on this page's origin (created on first use: server rendering never calls the API). */
export function api(): OrderlineClient {
  client ??= createOrderlineClient({ baseUrl: apiBaseUrl() });
  return client;
}
