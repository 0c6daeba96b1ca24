import type { IncomingMessage } from 'node:http';

type RoutedRequest = IncomingMessage & { route?: { path?: unknown; methods?: Record<string, boolean> }; baseUrl?: string };

/**
 * The matched route pattern (`/orders/:id`), never the raw URL, so logs group by endpoint and metric labels stay
 * few. Requests no controller route matched (404s, bodies rejected before routing) share one label. Nest mounts
 * module middleware as a route on every method (`{/*splat}`), which a controller route (one method) replaces
 * as it matches.
 */
export function routeOf(req: IncomingMessage): string {
  const { route, baseUrl } = req as RoutedRequest;
  if (typeof route?.path !== 'string' || Object.keys(route.methods ?? {}).length !== 1) return 'unmatched';
  return `${baseUrl ?? ''}${route.path}`;
}

/** The URL path without the query string (which may carry tokens). */
export function pathOf(req: IncomingMessage): string {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** For a request answered outside Express's router (the front door): the route it was answered for, as routeOf reads it. */
export function labelRoute(req: IncomingMessage, method: string, path: string): void {
  (req as RoutedRequest).route = { path, methods: { [method.toLowerCase()]: true } };
}
