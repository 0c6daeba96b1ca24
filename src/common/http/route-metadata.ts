import type { ExecutionContext } from '@nestjs/common';

type Target = (...args: never[]) => unknown;

/**
 * What a global guard reads from a route's decorators, worked out once per route rather than on every request:
 * decorators are fixed when the app starts. Keyed by controller class and handler (a handler inherited by two
 * controllers may be decorated differently on each).
 */
export function perRoute<T>(read: (handler: Target, controller: Target) => T): (context: ExecutionContext) => T {
  const byController = new WeakMap<Target, WeakMap<Target, T>>();
  return (context) => {
    const handler = context.getHandler() as Target;
    const controller = context.getClass() as unknown as Target;
    let byHandler = byController.get(controller);
    if (!byHandler) byController.set(controller, (byHandler = new WeakMap()));
    if (byHandler.has(handler)) return byHandler.get(handler) as T;
    const value = read(handler, controller);
    byHandler.set(handler, value);
    return value;
  };
}
