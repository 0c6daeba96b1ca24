import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { IS_OPTIONAL_AUTH, IS_PUBLIC, ROLES } from '../../src/common/http/access.js';

export interface Route {
  method: string;
  path: string;
  /** 'public', 'optional', 'signed-in', or the roles (ADMIN, ...) joined by |. */
  access: string;
}

/** Every HTTP route of every controller, with its access rule, from the metadata Nest itself routes and guards by. */
export function discoverRoutes(app: INestApplication): Route[] {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  return app
    .get(DiscoveryService)
    .getControllers()
    .flatMap((wrapper) => {
      const controller = wrapper.metatype as object;
      const prototype = Object.getPrototypeOf(wrapper.instance);
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      return scanner.getAllMethodNames(prototype).flatMap((name) => {
        const handler = prototype[name];
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) return [];
        const targets = [handler, controller];
        const roles = reflector.getAllAndOverride<string[] | undefined>(ROLES, targets);
        const access = reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)
          ? 'public'
          : reflector.getAllAndOverride<boolean>(IS_OPTIONAL_AUTH, targets)
            ? 'optional'
            : roles?.length
              ? roles.join('|')
              : 'signed-in';
        const full = `/${[base, path]
          .map((p) => p.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        return [{ method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number], path: full, access }];
      });
    });
}
