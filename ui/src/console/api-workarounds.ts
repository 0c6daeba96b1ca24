import type { Schemas } from '@orderline/client';

/**
 * Stand-ins for two flaws of today's OpenAPI document (to be fixed in the document itself, issue 17):
 * - page/limit query parameters are typed as `Object` although the API reads integers;
 * - routes that read X-Order-Token through @Headers() list a phantom *required* `x-order-token` header, which staff
 *   calls never send.
 * Both only satisfy the type checker: a number goes out as a number, and no header is sent.
 */
export const integerQuery = (value: number) => value as unknown as Schemas['Object'];
export const NO_ORDER_TOKEN = {} as { 'x-order-token': string };

/**
 * A third flaw of the same kind: fields with a server-side default (a new variant's lowStockThreshold, initialStock)
 * are typed as required, although leaving them out is what asks for the default (the brand's low-stock threshold).
 */
export const leavingDefaults = <T>(body: Partial<T>) => body as T;
