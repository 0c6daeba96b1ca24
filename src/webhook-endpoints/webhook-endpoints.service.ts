import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Prisma, type WebhookEndpoint } from '../generated/prisma/client.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { DecryptionError, SecretBox } from '../common/crypto/secret-box.js';
import { DeliveryError } from '../outbox/delivery-error.js';
import { OutboxDestination, type OutboxDelivery } from '../outbox/outbox-destination.js';
import type {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointResponse,
  WebhookEndpointWithSecretResponse,
} from './dto/webhook-endpoints.dto.js';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook-signature.js';
import { OutboundTargets, TargetRefusedError } from '../common/net/outbound-targets.js';

const KIND = 'webhook';
/** Additional authenticated data of an endpoint's secret: binds the ciphertext to its endpoint. */
export const secretContext = (endpointId: string) => `webhook_endpoints.secret:${endpointId}`;
/** A new signing secret: 256 random bits. */
const generateSecret = () => `ol_whsec_${randomBytes(32).toString('base64url')}`;

/**
 * Brand webhook endpoints: admin CRUD with a per-endpoint signing secret (generated here, shown once, stored
 * encrypted), and signed delivery of outbox messages to them (an outbox destination).
 */
@Injectable()
export class WebhookEndpointsService extends OutboxDestination {
  readonly kind = KIND;
  private readonly production: boolean;
  private readonly timeoutMs: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly targets: OutboundTargets,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    super();
    this.production = config.get('NODE_ENV', { infer: true }) === 'production';
    this.timeoutMs = config.get('OUTBOX_DELIVERY_TIMEOUT_MS', { infer: true });
  }

  async create(input: CreateWebhookEndpointDto, actor: Actor): Promise<WebhookEndpointWithSecretResponse> {
    await this.checkUrl(input.url);
    const id = randomUUID();
    const secret = generateSecret();
    const endpoint = await this.prisma.serializable(async (tx) => {
      const created = await tx.webhookEndpoint.create({
        data: {
          id,
          url: input.url,
          events: input.events,
          active: input.active ?? true,
          secretEncrypted: this.box.encrypt(secret, secretContext(id)),
        },
      });
      await this.audit.record(tx, {
        actor,
        action: 'webhook_endpoint.created',
        entityType: 'webhook_endpoint',
        entityId: id,
        after: this.toResponse(created),
      });
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
    if (input.url !== undefined) await this.checkUrl(input.url);
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
      await this.audit.record(tx, {
        actor,
        action: 'webhook_endpoint.updated',
        entityType: 'webhook_endpoint',
        entityId: id,
        before: this.toResponse(before),
        after: this.toResponse(after),
      });
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
      const row = await tx.webhookEndpoint.update({
        where: { id },
        data: { secretEncrypted: this.box.encrypt(secret, secretContext(id)) },
      });
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
      await this.audit.record(tx, {
        actor,
        action: 'webhook_endpoint.deleted',
        entityType: 'webhook_endpoint',
        entityId: id,
        before: this.toResponse(before),
      });
    });
  }

  /** Every active endpoint subscribed to the event (or to "*"), read in the queuing transaction. */
  destinationsOf(): Prisma.Sql {
    return Prisma.sql`SELECT m.idx, ${`${KIND}:`} || w.id::text
      FROM m JOIN webhook_endpoints w ON w.active AND (m.event = ANY(w.events) OR '*' = ANY(w.events))`;
  }

  /**
   * POSTs one outbox message to its endpoint, signed with the endpoint's current secret. Any 2xx is success; every
   * other answer (redirects too: they are not followed), a timeout or a network error is retried by the outbox. A
   * deleted or inactive endpoint, or one whose address the target policy refuses, fails for good. What is recorded
   * is the status or the error's code, never the receiver's answer (an address it should not reach could be read so).
   */
  async deliver(endpointId: string, delivery: OutboxDelivery): Promise<void> {
    const endpoint = await this.prisma.webhookEndpoint.findUnique({ where: { id: endpointId } });
    if (!endpoint) throw new DeliveryError(`Webhook endpoint ${endpointId} no longer exists`, true);
    if (!endpoint.active) throw new DeliveryError(`Webhook endpoint ${endpointId} is inactive`, true);
    let secret: string;
    try {
      secret = this.box.decrypt(endpoint.secretEncrypted, secretContext(endpoint.id));
    } catch (error) {
      if (error instanceof DecryptionError)
        throw new DeliveryError(`Webhook endpoint ${endpointId}: ${error.message}; rotate its secret`, true);
      throw error;
    }
    const body = JSON.stringify({
      id: delivery.id,
      type: delivery.event,
      createdAt: delivery.createdAt.toISOString(),
      data: delivery.payload,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'Orderline-Webhooks/1.0',
      [EVENT_ID_HEADER]: delivery.id,
      [EVENT_TYPE_HEADER]: delivery.event,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
    };
    let status: number;
    try {
      status = await this.targets.post(endpoint.url, headers, body, this.timeoutMs);
    } catch (error) {
      if (error instanceof TargetRefusedError) throw new DeliveryError(`Webhook endpoint ${error.message}`, true);
      const e = error as { name?: string; code?: string };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new DeliveryError('Webhook endpoint did not answer in time');
      throw new DeliveryError(`Webhook endpoint unreachable: ${e.code ?? e.name ?? 'network error'}`);
    }
    if (status < 200 || status >= 300) throw new DeliveryError(`Webhook endpoint answered HTTP ${status}`);
  }

  private async checkUrl(url: string): Promise<void> {
    const problem =
      this.production && !url.startsWith('https://') ? 'url must use https in production' : await this.targets.problemWith(url);
    if (problem) throw new InvalidInputError('Validation failed: url', [{ field: 'url', errors: [problem] }]);
  }

  private toResponse(row: WebhookEndpoint): WebhookEndpointResponse {
    return { id: row.id, url: row.url, events: row.events, active: row.active, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }
}
