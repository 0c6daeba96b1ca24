import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import { BrandContext, DEFAULT_BRAND_ID } from '../common/context/brand-context.js';
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

/** What rotation did in one brand (audited in that brand's trail). */
export interface BrandRotation {
  keyId: string;
  settingsCredentials: SecretCounts;
  webhookEndpointSecrets: SecretCounts;
}

/** Rotation over the install: the sums, and each brand's own counts. */
export interface RotationReport extends BrandRotation {
  brands: (BrandRotation & { slug: string })[];
}

interface BrandRef {
  id: string;
  slug: string;
}

export class UnknownEncryptionKeyError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'UnknownEncryptionKeyError';
  }
}

/**
 * The secrets Orderline keeps encrypted at rest (payment, carrier and notification credentials in brand settings,
 * webhook endpoint signing secrets), of every brand, seen together: which key each one is under, a start-up check that
 * the key ring holds all of them, and rotation of all of them to the encrypting key. Each brand's secrets are read and
 * rewritten as that brand (row-level security shows a transaction its own brand's rows only), one transaction per brand.
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
    for (const secret of await this.everyBrands()) {
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
    return this.unknownKeys(await this.everyBrands());
  }

  /**
   * Re-encrypts every brand's stored secrets under the encrypting key (the first of ENCRYPTION_KEYS): nothing is
   * touched unless every brand's secrets are readable with the ring; then each brand in one transaction of its own, with
   * its rows locked, audited in its own trail. A run stopped half-way is finished by running it again. Afterwards older
   * keys can be removed from ENCRYPTION_KEYS.
   */
  async rotate(actor: Actor): Promise<RotationReport> {
    const brands = await this.brands();
    const problems = this.unknownKeys(await this.everyBrands(brands));
    if (problems.length) throw new UnknownEncryptionKeyError(problems);
    const report: RotationReport = {
      keyId: this.box.keyId,
      settingsCredentials: { rotated: 0, unchanged: 0 },
      webhookEndpointSecrets: { rotated: 0, unchanged: 0 },
      brands: [],
    };
    for (const brand of brands) {
      const done = await BrandContext.run(brand.id, () => this.rotateBrand(brand, actor));
      report.brands.push({ slug: brand.slug, ...done });
      for (const kind of ['settingsCredentials', 'webhookEndpointSecrets'] as const) {
        report[kind].rotated += done[kind].rotated;
        report[kind].unchanged += done[kind].unchanged;
      }
    }
    return report;
  }

  /** One brand's rotation, run as that brand. */
  private rotateBrand(brand: BrandRef, actor: Actor): Promise<BrandRotation> {
    return this.prisma.serializable(async (tx) => {
      const secrets = await this.all(tx, brand, true);
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
      const report: BrandRotation = {
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

  /** Every brand, the default brand first (whether or not platform mode is on: a brand's secrets outlive the mode). */
  private brands(): Promise<BrandRef[]> {
    return this.prisma.brand.findMany({ select: { id: true, slug: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  /** Every brand's stored secrets, each brand's read as that brand. */
  private async everyBrands(brands?: BrandRef[]): Promise<StoredSecret[]> {
    const secrets: StoredSecret[] = [];
    for (const brand of brands ?? (await this.brands()))
      secrets.push(...(await BrandContext.run(brand.id, () => this.all(this.prisma, brand))));
    return secrets;
  }

  /**
   * Every stored secret of the brand the work runs as; with `lock`, its rows are locked FOR UPDATE (rotation). Another
   * brand's are named with its slug in messages; the default brand's as before brands.
   */
  private async all(db: Tx | PrismaService, brand: BrandRef, lock = false): Promise<StoredSecret[]> {
    const of = brand.id === DEFAULT_BRAND_ID ? '' : `brand ${brand.slug}: `;
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
                  location: `${of}brand_settings.credentials.${provider}.${field}`,
                  context: credentialContext(provider, field),
                  sealed,
                  credential: { provider, field },
                },
              ]
            : [];
        }),
      ),
      ...endpoints.map((e) => ({
        location: `${of}webhook_endpoints.secret_encrypted (endpoint ${e.id})`,
        context: secretContext(e.id),
        sealed: e.secret_encrypted,
        endpointId: e.id,
      })),
    ];
  }
}
