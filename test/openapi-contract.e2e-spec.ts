import { readFileSync } from 'node:fs';
import type { INestApplication, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import type { OpenAPIObject, OperationObject, ParameterObject, SchemaObject } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { AppModule } from '../src/app.module.js';
import { IS_OPTIONAL_AUTH, IS_PUBLIC, ROLES } from '../src/common/http/access.js';
import { IDEMPOTENT_OPTIONS, type IdempotentOptions } from '../src/idempotency/idempotency.interceptor.js';
import { TAG_DESCRIPTIONS } from '../src/openapi-document.js';

/**
 * The committed OpenAPI document (clients/ts/openapi.json; npm run api:check keeps it equal to what the code
 * generates) against what the code does: every route's access, the headers its handler reads, its idempotency, and the
 * integer inputs its validators enforce. Redocly's rules run separately (npm run api:lint).
 */
/** @ApiExcludeController()'s metadata key (@nestjs/swagger does not export its constants). */
const API_EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';

const document = JSON.parse(readFileSync(new URL('../clients/ts/openapi.json', import.meta.url), 'utf8')) as OpenAPIObject;

interface Route {
  method: string;
  /** OpenAPI form: /orders/{id}; a {provider} segment stands for each provider's own path. */
  path: string;
  controller: Type;
  handler: (...args: unknown[]) => unknown;
}

interface DocumentedOperation {
  method: string;
  path: string;
  operation: OperationObject;
}

const operations: DocumentedOperation[] = Object.entries(document.paths).flatMap(([path, item]) =>
  (['get', 'put', 'post', 'delete', 'patch'] as const).flatMap((method) => {
    const operation = item[method];
    return operation ? [{ method, path, operation }] : [];
  }),
);

function appRoutes(app: INestApplication): Route[] {
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || Reflect.getMetadata(API_EXCLUDE_CONTROLLER, controller)) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (methodPath === undefined) continue;
        const path = `/${[base, methodPath].filter(Boolean).join('/')}`
          .replace(/\/+/g, '/')
          .replace(/(.)\/$/, '$1')
          .replace(/:(\w+)/g, '{$1}');
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod].toLowerCase();
        routes.push({ method, path, controller, handler: handler as Route['handler'] });
      }
    }
  }
  return routes;
}

const routeOf = (routes: Route[], { method, path }: DocumentedOperation) =>
  routes.find((r) => r.method === method && new RegExp(`^${r.path.replace('{provider}', '[a-z]+')}$`).test(path));

/** Route metadata as the guards read it: the handler's, else its controller's. */
const metadata = (key: string, route: Route): unknown =>
  Reflect.getMetadata(key, route.handler) ?? Reflect.getMetadata(key, route.controller);

/** The kind of a handler parameter, from its ROUTE_ARGS_METADATA key (`type:index`). */
const paramType = (key: string): number => Number(key.split(':')[0]);
const HEADERS: number = RouteParamtypes.HEADERS;
const BODY: number = RouteParamtypes.BODY;
const QUERY: number = RouteParamtypes.QUERY;

/** Every schema object in the document, with where it is. */
function* schemasIn(value: unknown, at: string): Generator<[string, SchemaObject]> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* schemasIn(item, `${at}/${i}`);
  } else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.type === 'string' || '$ref' in object) yield [at, object];
    for (const [key, child] of Object.entries(object)) yield* schemasIn(child, `${at}/${key}`);
  }
}

describe('OpenAPI contract', () => {
  let app: INestApplication;
  let routes: Route[];

  beforeAll(async () => {
    // Created, never started: the routes and their metadata are all that is read.
    app = await NestFactory.create(AppModule, { logger: false });
    routes = appRoutes(app);
  });
  afterAll(() => app.close());

  it('documents every route, and nothing else', () => {
    const undocumented = routes.filter((r) => !operations.some((o) => routeOf([r], o))).map((r) => `${r.method} ${r.path}`);
    const unknown = operations.filter((o) => !routeOf(routes, o)).map((o) => `${o.method} ${o.path}`);
    expect({ undocumented, unknown }).toEqual({ undocumented: [], unknown: [] });
  });

  it('names every operation readably and once (camelCase verbs, not the framework default Controller_method)', () => {
    const ids = operations.map((o) => o.operation.operationId);
    const unreadable = ids.filter((id) => !id || !/^[a-z]+[A-Z][A-Za-z]*$|^(login|logout|register)$/.test(id));
    expect(unreadable).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const byRoute = Object.fromEntries(operations.map((o) => [`${o.method} ${o.path}`, o.operation.operationId]));
    // The names clients already call; renaming one breaks them.
    expect(byRoute).toMatchObject({
      'post /auth/login': 'login',
      'get /products': 'listProducts',
      'get /products/{id}': 'getProduct',
      'post /orders/checkout': 'createCheckout',
      'get /orders': 'listOrders',
      'get /orders/{id}': 'getOrder',
      'post /orders/{id}/fulfill': 'fulfillOrder',
      'post /orders/{id}/refunds': 'createRefund',
      'post /orders/track': 'trackOrder',
      'post /webhooks/stripe': 'receiveStripeWebhook',
    });
  });

  it('gives every operation the security its guards enforce, with their 401 and 403 answers', () => {
    const wrong: string[] = [];
    for (const documented of operations) {
      const route = routeOf(routes, documented);
      if (!route) continue;
      const { security = document.security, responses } = documented.operation;
      const where = `${documented.method} ${documented.path}`;
      if (metadata(IS_PUBLIC, route)) {
        // Public: nothing, or an optional scheme of its own (the metrics token), never the user token.
        if (security?.some((s) => 'bearer' in s) || (security?.length && !security.some((s) => Object.keys(s).length === 0)))
          wrong.push(`${where}: public but ${JSON.stringify(security)}`);
      } else if (metadata(IS_OPTIONAL_AUTH, route)) {
        if (JSON.stringify(security) !== JSON.stringify([{}, { bearer: [] }]))
          wrong.push(`${where}: optional auth but ${JSON.stringify(security)}`);
        if (!responses['401']) wrong.push(`${where}: no 401`);
      } else {
        if (JSON.stringify(security) !== JSON.stringify([{ bearer: [] }]))
          wrong.push(`${where}: bearer required but ${JSON.stringify(security)}`);
        if (!responses['401']) wrong.push(`${where}: no 401`);
        if ((metadata(ROLES, route) as string[] | undefined)?.length && !responses['403']) wrong.push(`${where}: role-guarded without 403`);
      }
    }
    expect(wrong).toEqual([]);
    expect(document.security).toEqual([{ bearer: [] }]);
  });

  it('shows guest routes (checkout, an order by its token, tracking, the storefront reads) without requiring a token', () => {
    const security = (method: string, path: string) => operations.find((o) => o.method === method && o.path === path)?.operation.security;
    for (const [method, path] of [
      ['post', '/orders/checkout'],
      ['get', '/orders/{id}'],
      ['get', '/orders/{id}/payment'],
      ['post', '/orders/{id}/payment'],
      ['get', '/products'],
      ['get', '/products/{id}'],
    ])
      expect(security(method, path)).toEqual([{}, { bearer: [] }]);
    for (const [method, path] of [
      ['post', '/orders/track'],
      ['post', '/cart/quote'],
      ['get', '/brand'],
      ['get', '/payments/methods'],
    ])
      expect(security(method, path)).toEqual([]);
  });

  it('lists each header a handler reads once, required exactly when the code requires it', () => {
    const wrong: string[] = [];
    for (const documented of operations) {
      const route = routeOf(routes, documented);
      if (!route) continue;
      const where = `${documented.method} ${documented.path}`;
      const headers = (documented.operation.parameters ?? []).filter((p): p is ParameterObject => 'in' in p && p.in === 'header');
      const names = headers.map((h) => h.name.toLowerCase());
      if (new Set(names).size !== names.length) wrong.push(`${where}: a header listed twice (${names.join(', ')})`);
      // @Headers('name') reads: each documented (Authorization is the security scheme's).
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.handler.name) ?? {}) as Record<
        string,
        { data?: unknown }
      >;
      for (const [key, arg] of Object.entries(args)) {
        const read = paramType(key) === HEADERS && typeof arg.data === 'string' ? arg.data.toLowerCase() : undefined;
        if (read && read !== 'authorization' && !names.includes(read)) wrong.push(`${where}: reads header ${read}, not documented`);
      }
      const idempotent = Reflect.getMetadata(IDEMPOTENT_OPTIONS, route.handler) as IdempotentOptions | undefined;
      const key = headers.find((h) => h.name === 'Idempotency-Key');
      if (Boolean(idempotent) !== Boolean(key))
        wrong.push(`${where}: Idempotency-Key ${key ? 'documented on a route that ignores it' : 'missing'}`);
      if (idempotent && key && Boolean(key.required) !== Boolean(idempotent.required))
        wrong.push(`${where}: Idempotency-Key required=${key.required}`);
      const token = headers.find((h) => h.name.toLowerCase() === 'x-order-token');
      if (token?.required) wrong.push(`${where}: X-Order-Token must be optional (staff and customers use their bearer token)`);
    }
    expect(wrong).toEqual([]);
    const refund = operations.find((o) => o.operation.operationId === 'createRefund')?.operation.parameters as ParameterObject[];
    expect(refund.find((p) => p.name === 'Idempotency-Key')?.required).toBe(true);
  });

  it('types every number as an integer, and every integer input is validated as one', () => {
    const loose = [...schemasIn(document, '#')].filter(([, s]) => s.type === 'number' && s.format === undefined).map(([at]) => at);
    expect(loose).toEqual([]);
    expect(document.components?.schemas?.Object).toBeUndefined();
    expect(JSON.stringify(document)).not.toContain('#/components/schemas/Object"');

    // Request bodies and query objects: `integer` in the document <=> @IsInt() in the DTO.
    const storage = getMetadataStorage();
    const mismatched: string[] = [];
    for (const route of routes) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.handler.name) ?? {}) as Record<
        string,
        { index: number }
      >;
      const types = (Reflect.getMetadata('design:paramtypes', route.controller.prototype as object, route.handler.name) ?? []) as Type[];
      for (const [key, arg] of Object.entries(args)) {
        const kind = paramType(key);
        if (kind !== BODY && kind !== QUERY) continue;
        const dto = types[arg.index] as Type | undefined;
        if (!dto || dto === Object) continue;
        const validations = storage.getTargetValidationMetadatas(dto, '', true, false);
        const intProperties = new Set(validations.filter((v) => v.name === 'isInt').map((v) => v.propertyName));
        const schema = document.components?.schemas?.[dto.name] as SchemaObject | undefined;
        const documented: [string, SchemaObject][] = schema
          ? Object.entries(schema.properties ?? {}).map(([name, s]) => [name, s as SchemaObject])
          : operations
              .filter((o) => routeOf([route], o))
              .flatMap((o) => (o.operation.parameters ?? []) as ParameterObject[])
              .filter((p) => p.in === 'query')
              .map((p) => [p.name, p.schema as SchemaObject]);
        for (const [name, s] of documented) {
          if ((s.type === 'integer') !== intProperties.has(name))
            mismatched.push(`${dto.name}.${name}: ${s.type ?? 'ref'}, @IsInt ${intProperties.has(name)}`);
        }
      }
    }
    expect(mismatched).toEqual([]);
  });

  it('describes error details, tags and the main request bodies', () => {
    const details = (document.components?.schemas?.ErrorResponse as SchemaObject).properties?.details as SchemaObject;
    expect(details.oneOf).toEqual([
      { type: 'array', items: { $ref: '#/components/schemas/FieldErrorResponse' } },
      { type: 'object', additionalProperties: true },
    ]);
    const used = new Set(operations.flatMap((o) => o.operation.tags ?? []));
    expect([...used].filter((tag) => !TAG_DESCRIPTIONS[tag])).toEqual([]);
    expect(document.tags?.map((t) => t.name).sort()).toEqual([...used].sort());
    expect(document.servers?.length).toBeGreaterThan(0);
    for (const id of ['createCheckout', 'login', 'register', 'createProduct', 'createRefund', 'fulfillOrder', 'quoteCart']) {
      const body = operations.find((o) => o.operation.operationId === id)?.operation.requestBody as
        { content: Record<string, { examples?: object }> } | undefined;
      expect([id, Object.keys(body?.content['application/json']?.examples ?? {}).length > 0]).toEqual([id, true]);
    }
  });
});
