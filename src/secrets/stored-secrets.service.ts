import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { credentialContext, credentialFields, credentialProviders, type StoredCredentials } from '../settings/credential-catalogue.js';
import { secretContext } from '../webhook-endpoints/webhook-endpoints.service.js';

/** The columns holding encrypted values (a test checks the schema has no others): what rotation and the start-up check read. */
export const ENCRYPTED_COLUMNS = ['brand_settings.credentials', 'webhook_endpoints.secret_encrypted'] as const;

/** One stored ciphertext: where it is (for messages), its AAD context and the value. */
interface StoredSecret {
  location: string;
  context: string;
  sealed: string;
  credential?: { provider: string; field: string };
  endpointId?: string;
}

export interface SecretCounts {
  /** Re-encrypted under the encrypting key. */
  rotated: number;
  /** Already under it. */
  unchanged: number;
}

export interface RotationReport {
  keyId: string;
  settingsCredentials: SecretCounts;
  webhookEndpointSecrets: SecretCounts;
}

export class UnknownEncryptionKeyError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'UnknownEncryptionKeyError';
  }
}

/**
 * The secrets Orderline keeps encrypted at rest (payment credentials in brand settings, webhook endpoint signing
 * secrets), seen together: which key each one is under, a start-up check that the key ring holds all of them, and
 * rotation of all of them to the encrypting key in one transaction.
 */
@Injectable()
export class StoredSecretsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
  ) {}

  /** How many stored secrets each key holds: by ring id, or by the id written in the ciphertext for keys the ring lacks. */
  async usage(): Promise<Map<string, number>> {
    const usage = new Map<string, number>();
    for (const secret of await this.all(this.prisma)) {
      const info = this.box.inspect(secret.sealed);
      const keyId = info?.ringId ?? info?.keyId ?? '(not an Orderline ciphertext)';
      usage.set(keyId, (usage.get(keyId) ?? 0) + 1);
    }
    return usage;
  }

  /**
   * One line per key the ring lacks, naming the key id and the secrets under it: refusing to start on these is better
   * than failing requests later (a checkout that cannot reach Stripe, webhooks that are never signed).
   */
  async unknownKeyProblems(): Promise<string[]> {
    return this.unknownKeys(await this.all(this.prisma));
  }

  /**
   * Re-encrypts every stored secret under the encrypting key (the first of ENCRYPTION_KEYS) in one transaction, with
   * the rows locked, and audits the counts. Afterwards older keys can be removed from ENCRYPTION_KEYS.
   */
  async rotate(actor: Actor): Promise<RotationReport> {
    return this.prisma.serializable(async (tx) => {
      const secrets = await this.all(tx, true);
      const problems = this.unknownKeys(secrets);
      if (problems.length) throw new UnknownEncryptionKeyError(problems);
      const counts = { settings: { rotated: 0, unchanged: 0 }, endpoints: { rotated: 0, unchanged: 0 } };
      const credentials: StoredCredentials = {};
      const endpoints: { id: string; sealed: string }[] = [];
      for (const secret of secrets) {
        const next = this.box.reencrypt(secret.sealed, secret.context);
        const where = secret.credential ? counts.settings : counts.endpoints;
        where[next ? 'rotated' : 'unchanged']++;
        if (!next) continue;
        if (secret.credential) (credentials[secret.credential.provider] ??= {})[secret.credential.field] = next;
        else if (secret.endpointId) endpoints.push({ id: secret.endpointId, sealed: next });
      }
      if (counts.settings.rotated) {
        const [row] = await tx.$queryRaw<{ credentials: StoredCredentials }[]>`SELECT credentials FROM brand_settings`;
        const merged = Object.fromEntries(
          Object.entries(row.credentials).map(([provider, fields]) => [provider, { ...fields, ...credentials[provider] }]),
        );
        await tx.brandSettings.updateMany({ data: { credentials: merged } });
      }
      if (endpoints.length) {
        await tx.$executeRaw`
          UPDATE webhook_endpoints w SET secret_encrypted = c.sealed, updated_at = now()
          FROM unnest(${endpoints.map((c) => c.id)}::uuid[], ${endpoints.map((c) => c.sealed)}::text[]) AS c(id, sealed) WHERE w.id = c.id`;
      }
      const report: RotationReport = {
        keyId: this.box.keyId,
        settingsCredentials: counts.settings,
        webhookEndpointSecrets: counts.endpoints,
      };
      await this.audit.record(tx, {
        actor,
        action: 'secrets.rotated',
        entityType: 'encryption_key',
        entityId: this.box.keyId,
        after: report,
      });
      return report;
    });
  }

  private unknownKeys(secrets: StoredSecret[]): string[] {
    const byKey = new Map<string, string[]>();
    for (const secret of secrets) {
      const info = this.box.inspect(secret.sealed);
      if (info?.ringId) continue;
      const keyId = info?.keyId ?? '(not an Orderline ciphertext)';
      byKey.set(keyId, [...(byKey.get(keyId) ?? []), secret.location]);
    }
    return [...byKey].map(
      ([keyId, locations]) =>
        `Stored secrets are encrypted under key id ${keyId}, which is not in the key ring (${this.box.keyIds.join(', ')}): ` +
        `${locations.join(', ')}. Add that key to ENCRYPTION_KEYS, or set these secrets again.`,
    );
  }

  /** Every stored secret; with `lock`, its rows are locked FOR UPDATE (rotation). */
  private async all(db: Tx | PrismaService, lock = false): Promise<StoredSecret[]> {
    const forUpdate = Prisma.raw(lock ? 'FOR UPDATE' : '');
    const settings = await db.$queryRaw<{ credentials: StoredCredentials }[]>`SELECT credentials FROM brand_settings ${forUpdate}`;
    const endpoints = await db.$queryRaw<
      { id: string; secret_encrypted: string }[]
    >`SELECT id::text, secret_encrypted FROM webhook_endpoints ORDER BY id ${forUpdate}`;
    const credentials = settings[0]?.credentials ?? {};
    return [
      ...credentialProviders().flatMap((provider) =>
        Object.keys(credentialFields(provider)).flatMap((field) => {
          const sealed = credentials[provider]?.[field];
          return sealed
            ? [
                {
                  location: `brand_settings.credentials.${provider}.${field}`,
                  context: credentialContext(provider, field),
                  sealed,
                  credential: { provider, field },
                },
              ]
            : [];
        }),
      ),
      ...endpoints.map((e) => ({
        location: `webhook_endpoints.secret_encrypted (endpoint ${e.id})`,
        context: secretContext(e.id),
        sealed: e.secret_encrypted,
        endpointId: e.id,
      })),
    ];
  }
}
