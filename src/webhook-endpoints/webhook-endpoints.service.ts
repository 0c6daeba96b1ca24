import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { WebhookEndpoint } from '../generated/prisma/client.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { DecryptionError, SecretBox } from '../common/crypto/secret-box.js';
import { DeliveryError, describeHttpFailure, describeNetworkFailure } from '../outbox/delivery-error.js';
import type { CreateWebhookEndpointDto, UpdateWebhookEndpointDto, WebhookEndpointResponse, WebhookEndpointWithSecretResponse } from './dto/webhook-endpoints.dto.js';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook-signature.js';

/** Additional authenticated data of an endpoint's secret: binds the ciphertext to its endpoint. */
export const secretContext = (endpointId: string) => `webhook_endpoints.secret:${endpointId}`;
const RESPONSE_SNIPPET_BYTES = 2048;
/** A new signing secret: 256 random bits. */
const generateSecret = () => `ol_whsec_${randomBytes(32).toString('base64url')}`;

export interface WebhookDelivery {
  /** Outbox message id: the event id receivers deduplicate on (the same on every retry). */
  id: string;
  event: string;
  payload: unknown;
  createdAt: Date;
}

/** Reads at most `limit` bytes of a response body and drops the rest (receivers may answer with whole pages). */
async function readSnippet(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/**
 * Brand webhook endpoints: admin CRUD with a per-endpoint signing secret (generated here, shown once, stored
 * encrypted), and signed delivery of outbox messages to them.
 */
@Injectable()
export class WebhookEndpointsService {
  private readonly production: boolean;
  private readonly timeoutMs: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    this.production = config.get('NODE_ENV', { infer: true }) === 'production';
    this.timeoutMs = config.get('OUTBOX_DELIVERY_TIMEOUT_MS', { infer: true });
  }

  async create(input: CreateWebhookEndpointDto, actor: Actor): Promise<WebhookEndpointWithSecretResponse> {
    this.checkUrl(input.url);
    const id = randomUUID();
    const secret = generateSecret();
    const endpoint = await this.prisma.serializable(async (tx) => {
      const created = await tx.webhookEndpoint.create({
        data: { id, url: input.url, events: input.events, active: input.active ?? true, secretEncrypted: this.box.encrypt(secret, secretContext(id)) },
      });
      await this.audit.record(tx, { actor, action: 'webhook_endpoint.created', entityType: 'webhook_endpoint', entityId: id, after: this.toResponse(created) });
      return created;
    });
    return { ...this.toResponse(endpoint), secret };
  }

  async list(): Promise<WebhookEndpointResponse[]> {
    const rows = await this.prisma.webhookEndpoint.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map((r) => this.toResponse(r));
  }

  async get(id: string): Promise<WebhookEndpointResponse> {
    const row = await this.prisma.webhookEndpoint.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('Webhook endpoint', id);
    return this.toResponse(row);
  }

  async update(id: string, input: UpdateWebhookEndpointDto, actor: Actor): Promise<WebhookEndpointResponse> {
    if (input.url !== undefined) this.checkUrl(input.url);
    const updated = await this.prisma.serializable(async (tx) => {
      const before = await tx.webhookEndpoint.findUnique({ where: { id } });
      if (!before) throw new NotFoundError('Webhook endpoint', id);
      const after = await tx.webhookEndpoint.update({
        where: { id },
        data: {
          ...(input.url !== undefined && { url: input.url }),
          ...(input.events !== undefined && { events: input.events }),
          ...(input.active !== undefined && { active: input.active }),
        },
      });
      await this.audit.record(tx, { actor, action: 'webhook_endpoint.updated', entityType: 'webhook_endpoint', entityId: id, before: this.toResponse(before), after: this.toResponse(after) });
      return after;
    });
    return this.toResponse(updated);
  }

  /** Replaces the signing secret; the new one is returned once. Deliveries from now on use it. */
  async rotateSecret(id: string, actor: Actor): Promise<WebhookEndpointWithSecretResponse> {
    const secret = generateSecret();
    const updated = await this.prisma.serializable(async (tx) => {
      const exists = await tx.webhookEndpoint.findUnique({ where: { id }, select: { id: true } });
      if (!exists) throw new NotFoundError('Webhook endpoint', id);
      const row = await tx.webhookEndpoint.update({ where: { id }, data: { secretEncrypted: this.box.encrypt(secret, secretContext(id)) } });
      await this.audit.record(tx, { actor, action: 'webhook_endpoint.secret_rotated', entityType: 'webhook_endpoint', entityId: id });
      return row;
    });
    return { ...this.toResponse(updated), secret };
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await this.prisma.serializable(async (tx) => {
      const before = await tx.webhookEndpoint.findUnique({ where: { id } });
      if (!before) throw new NotFoundError('Webhook endpoint', id);
      await tx.webhookEndpoint.delete({ where: { id } });
      await this.audit.record(tx, { actor, action: 'webhook_endpoint.deleted', entityType: 'webhook_endpoint', entityId: id, before: this.toResponse(before) });
    });
  }

  /**
   * POSTs one outbox message to its endpoint, signed with the endpoint's current secret. Any 2xx is success; every
   * other answer, a timeout or a network error is retried by the outbox. A deleted or inactive endpoint fails for good.
   */
  async deliver(endpointId: string, delivery: WebhookDelivery): Promise<void> {
    const endpoint = await this.prisma.webhookEndpoint.findUnique({ where: { id: endpointId } });
    if (!endpoint) throw new DeliveryError(`Webhook endpoint ${endpointId} no longer exists`, true);
    if (!endpoint.active) throw new DeliveryError(`Webhook endpoint ${endpointId} is inactive`, true);
    let secret: string;
    try {
      secret = this.box.decrypt(endpoint.secretEncrypted, secretContext(endpoint.id));
    } catch (error) {
      if (error instanceof DecryptionError) throw new DeliveryError(`Webhook endpoint ${endpointId}: ${error.message}; rotate its secret`, true);
      throw error;
    }
    const body = JSON.stringify({ id: delivery.id, type: delivery.event, createdAt: delivery.createdAt.toISOString(), data: delivery.payload });
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetch(endpoint.url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Orderline-Webhooks/1.0',
          [EVENT_ID_HEADER]: delivery.id,
          [EVENT_TYPE_HEADER]: delivery.event,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw describeNetworkFailure('Webhook endpoint', error);
    }
    const snippet = await readSnippet(response, RESPONSE_SNIPPET_BYTES).catch(() => '');
    if (response.status < 200 || response.status >= 300) throw new DeliveryError(describeHttpFailure('Webhook endpoint', response.status, snippet));
  }

  private checkUrl(url: string): void {
    if (this.production && !url.startsWith('https://')) throw new InvalidInputError('Validation failed: url', [{ field: 'url', errors: ['url must use https in production'] }]);
  }

  private toResponse(row: WebhookEndpoint): WebhookEndpointResponse {
    return { id: row.id, url: row.url, events: row.events, active: row.active, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }
}
