import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { ACCESS_EXTENSION, type RouteAccess } from './common/http/access.js';
import { FieldErrorResponse } from './common/http/error-response.dto.js';
import { METRICS_TOKEN_SCHEME } from './ops/metrics.controller.js';
import { RATE_LIMIT_EXTENSION } from './ops/rate-limit.js';
import { describePaymentProviders, paymentDocumentModels } from './payments/payments-openapi.js';

/** The security scheme of user tokens (access tokens from /auth/login and /auth/register). */
export const BEARER_SCHEME = 'bearer';

/** One description per tag; the contract test fails on a tag used by an operation and missing here. */
export const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Accounts and sessions: register, log in, refresh (cookie), log out, change password',
  products: 'The catalogue: products and their variants (public reads, admin writes)',
  inventory: 'Stock per variant (on hand, reserved, available) and its movement ledger (admin)',
  cart: 'Price a cart against the live catalogue without reserving anything',
  orders: 'Checkout, orders (by customer, guest token or admin), tracking and the fulfilment steps',
  returns: 'Return requests and their review and receipt',
  payments: 'Payment methods, payment instructions and summaries, client-side confirmation, refunds',
  webhooks: "Payment providers' webhooks (signed by the provider; not for API clients)",
  shipping:
    "Carriers: booking parcels (one or many orders), labels, NDR and RTO lists, COD remittance (admin); carriers' tracking webhooks",
  live: 'Server-sent event streams: catalogue stock and drops, one order, every order (staff)',
  settings: "The brand's public profile and the admin settings (reservation TTL, thresholds, provider credentials)",
  audit: 'The audit trail of every change (admin)',
  outbox: 'Outgoing events and their delivery state (admin)',
  notifications: "The brand's customer notifications: channels, the events that notify, a test message (admin)",
  'webhook endpoints': "The brand's own webhook endpoints that receive Orderline events (admin)",
  'idempotency-keys': 'Idempotency keys still in progress, and releasing a stuck one (admin)',
  staff: "The brand's staff accounts: add, disable, enable, reset passwords (owner only)",
  customers: 'Customers built from orders: lifetime value, orders, notes and tags (admin)',
  platform: 'Platform mode: every brand of the install, suspension and host names (platform admins only)',
  overview: "Today's orders and revenue, orders to fulfil, low stock and failed deliveries (admin)",
  drops: 'Scheduled drops: early access, per-customer limits, live counts (admin); the waitlist (public)',
  media: 'Uploaded product images, served from the storage',
  health: 'Liveness and readiness of this instance',
  operations: 'Prometheus metrics of this instance',
};

/** The OpenAPI document of the app's routes: served at /docs-json and written to clients/ts/openapi.json (src/openapi.ts). */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const openApi = new DocumentBuilder()
    .setTitle('Orderline API')
    .setDescription('Orders and payments for direct-to-consumer brands. Money is integer minor units plus an ISO 4217 currency.')
    .setVersion('1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    // Relative: the instance that serves this document (http://localhost:3000 with npm run dev).
    .addServer('/', 'This instance (the origin that serves /docs)')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'accessToken from POST /auth/login or /auth/register',
    })
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN of the instance, when it sets one' }, METRICS_TOKEN_SCHEME)
    // The global guard: every route needs a user token unless it says otherwise (its operation's own security).
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  // Payment methods, provider fields and webhook headers come from the provider registry.
  const document = describePaymentProviders(
    SwaggerModule.createDocument(app, openApi, {
      extraModels: [FieldErrorResponse, ...paymentDocumentModels()],
    }),
  );
  return finishContract(document);
}

/**
 * What the decorators cannot say once per route, said once for the whole document from what the code does:
 * - security from the route's access (@Public, @OptionalAuth, @Roles; the global guard otherwise), with the 401/403
 *   answers those guards give;
 * - 400 for every route with a body or query parameters (the global ValidationPipe), 429 for every route the global
 *   rate limit applies to (all but @SkipRateLimit());
 * - integers: the API has no fractional numbers (money is integer minor units; the rest are counts, positions,
 *   seconds and HTTP statuses), so `type: number` is `integer` unless a field declares `format: 'double'`;
 * - a reference alone in a one-element allOf is the reference; a free-form object says additionalProperties: true;
 * - tags with their descriptions.
 */
export function finishContract(document: OpenAPIObject): OpenAPIObject {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = pathItem[method];
      if (operation) finishOperation(operation);
    }
  }
  normalizeSchemas(document);
  const used = new Set(
    Object.values(document.paths).flatMap((item) => Object.values(item).flatMap((op: OperationObject) => op.tags ?? [])),
  );
  document.tags = [...used].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? '' }));
  return document;
}

const errorResponse = (description: string): ResponseObject => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
});

function finishOperation(operation: OperationObject): void {
  const marked = operation as OperationObject & { [ACCESS_EXTENSION]?: RouteAccess; [RATE_LIMIT_EXTENSION]?: 'skip' };
  const access = marked[ACCESS_EXTENSION];
  const rateLimited = marked[RATE_LIMIT_EXTENSION] !== 'skip';
  Reflect.deleteProperty(marked, ACCESS_EXTENSION);
  Reflect.deleteProperty(marked, RATE_LIMIT_EXTENSION);
  const responses = operation.responses;
  // Schemes other than the user token that the route declares itself (GET /metrics).
  const ownSchemes = (operation.security ?? []).filter((requirement) => !(BEARER_SCHEME in requirement));
  if (access === 'public') {
    operation.security = ownSchemes.length ? [{}, ...ownSchemes] : [];
  } else if (access === 'optional') {
    operation.security = [{}, { [BEARER_SCHEME]: [] }];
    responses['401'] ??= errorResponse('A bearer token was sent and is not valid (guests send none)');
  } else {
    // Bearer required: the document's root security, restated on the operation so that each one reads alone.
    operation.security = [{ [BEARER_SCHEME]: [] }];
    responses['401'] ??= errorResponse('No valid bearer token');
    if (access === 'roles') responses['403'] ??= errorResponse('The signed-in user lacks the role this route requires');
  }
  const validated = operation.requestBody !== undefined || (operation.parameters ?? []).some((p) => 'in' in p && p.in === 'query');
  if (validated) responses['400'] ??= errorResponse('Invalid input: details lists each field and what is wrong with it');
  // The global rate limit (RATE_LIMIT_*) answers every route that does not opt out.
  if (rateLimited) responses['429'] ??= errorResponse('Rate limit reached; retry after the Retry-After header (seconds)');
  operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  for (const parameter of operation.parameters ?? []) {
    if ('schema' in parameter && parameter.schema) parameter.schema = normalizeSchema(parameter.schema);
  }
}

function normalizeSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = normalizeSchema(schema);
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as OperationObject[]) {
      const bodies = [operation.requestBody, ...Object.values(operation.responses)];
      for (const body of bodies) {
        for (const media of Object.values(
          (body as { content?: Record<string, { schema?: SchemaObject | ReferenceObject }> } | undefined)?.content ?? {},
        )) {
          if (media.schema) media.schema = normalizeSchema(media.schema);
        }
      }
    }
  }
}

/** Integers and bare references, recursively (properties, items, compositions). */
function normalizeSchema(schema: SchemaObject | ReferenceObject): SchemaObject | ReferenceObject {
  if ('$ref' in schema) return schema;
  if (schema.allOf?.length === 1 && Object.keys(schema).length === 1) return normalizeSchema(schema.allOf[0]);
  const result: SchemaObject = { ...schema };
  if (result.type === 'number' && result.format === undefined) result.type = 'integer';
  // A free-form object (JSON payloads, variant attributes): spelled out, so that generated clients type it as a
  // string-keyed record instead of an empty object.
  if (result.type === 'object' && !result.properties && result.additionalProperties === undefined) result.additionalProperties = true;
  if (result.properties) result.properties = Object.fromEntries(Object.entries(result.properties).map(([k, v]) => [k, normalizeSchema(v)]));
  if (result.items) result.items = normalizeSchema(result.items);
  if (result.additionalProperties && typeof result.additionalProperties === 'object')
    result.additionalProperties = normalizeSchema(result.additionalProperties);
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const parts = result[key];
    if (parts) result[key] = parts.map(normalizeSchema);
  }
  return result;
}
