import type { Type } from '@nestjs/common';
import type { OpenAPIObject, OperationObject, ParameterObject, SchemaObject } from '@nestjs/swagger';
import { PAYMENT_METHOD_NAME_SCHEMA, PAYMENT_METHOD_SCHEMA } from '../orders/payment-gateway.js';
import { providerCode, type PaymentProviderDescriptor } from './payment-provider.js';
import { registeredProviders } from './provider-registry.js';
import { CONFIRMATION_OPERATION_ID } from './payments.controller.js';
import { BRAND_WEBHOOK_OPERATION_ID, WEBHOOK_OPERATION_ID } from './webhooks.controller.js';
import './providers/index.js';

const descriptors = (): PaymentProviderDescriptor[] => registeredProviders().map((p) => p.descriptor);

/** The provider classes the document describes (confirmation bodies, instruction fields): SwaggerModule's extraModels. */
export function paymentDocumentModels(): Type[] {
  return descriptors().flatMap((d) => [d.confirmation, d.instructions].filter((model): model is Type => model !== undefined));
}

/**
 * Fills the OpenAPI document from the provider registry, when it is built: the PaymentMethod and PaymentMethodName
 * schemas other modules refer to, each provider's instruction fields, the providers and signature headers of the
 * webhook route, and the bodies of the client confirmation route.
 */
export function describePaymentProviders(document: OpenAPIObject): OpenAPIObject {
  const all = descriptors();
  const schemas = ((document.components ??= {}).schemas ??= {});
  schemas[PAYMENT_METHOD_SCHEMA] = {
    type: 'string',
    enum: all.map(providerCode),
    description: 'A payment method as orders and payments store it',
  };
  schemas[PAYMENT_METHOD_NAME_SCHEMA] = {
    type: 'string',
    enum: all.map((d) => d.name),
    description: 'A payment method as clients name it',
  };

  const envelope = schemas.PaymentInstructionsResponse as SchemaObject;
  const instructions = (envelope.properties ??= {});
  for (const d of all) {
    const fields = d.instructions && (schemas[d.instructions.name] as SchemaObject | undefined)?.properties;
    for (const [name, field] of Object.entries(fields ?? {}) as [string, SchemaObject][]) {
      instructions[name] = { ...field, description: `${d.label}: ${field.description ?? name}` };
    }
    // Its fields now live in the envelope; the class was only their source.
    if (d.instructions) Reflect.deleteProperty(schemas, d.instructions.name);
  }

  // The generic routes (/webhooks/{provider}, /payments/{provider}/verify) are documented once per provider, with its
  // own headers and body: the paths clients call.
  const webhookRoute = (brand: boolean) => (op: OperationObject, d: PaymentProviderDescriptor) => {
    if (!d.webhook) return false;
    op.summary = brand ? `${d.label} webhook endpoint of one brand (platform mode)` : `${d.label} webhook endpoint`;
    op.parameters = [
      ...(op.parameters ?? []),
      ...d.webhook.headers.map((h): ParameterObject => ({
        name: h.name,
        in: 'header',
        required: h.required,
        schema: { type: 'string' },
        description: h.description,
      })),
    ];
    return true;
  };
  perProvider(document, WEBHOOK_OPERATION_ID, all, webhookRoute(false));
  perProvider(document, BRAND_WEBHOOK_OPERATION_ID, all, webhookRoute(true));
  perProvider(document, CONFIRMATION_OPERATION_ID, all, (op, d) => {
    if (!d.confirmation) return false;
    op.summary = `Confirm a ${d.label} payment with its client-side result`;
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${d.confirmation.name}` } } },
    };
    return true;
  });
  return document;
}

/**
 * Replaces the POST operation `operationId` of a path with {provider} by one copy per provider that `customize` finishes
 * (it answers false for a provider the route does not serve).
 */
function perProvider(
  document: OpenAPIObject,
  operationId: string,
  providers: PaymentProviderDescriptor[],
  customize: (op: OperationObject, d: PaymentProviderDescriptor) => boolean,
) {
  const generic = Object.entries(document.paths).find(([, p]) => p.post?.operationId === operationId);
  const template = generic?.[1].post;
  if (!generic || !template) return;
  document.paths = Object.fromEntries(Object.entries(document.paths).filter(([path]) => path !== generic[0]));
  for (const d of providers) {
    const op: OperationObject = structuredClone(template);
    // receiveProviderWebhook -> receiveStripeWebhook, confirmProviderPayment -> confirmRazorpayPayment
    op.operationId = operationId.replace('Provider', d.name.charAt(0).toUpperCase() + d.name.slice(1));
    op.parameters = op.parameters?.filter((param) => !('name' in param && param.name === 'provider'));
    if (customize(op, d)) document.paths[generic[0].replace('{provider}', d.name)] = { post: op };
  }
}
