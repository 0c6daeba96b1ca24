import { activeBrandId, DEFAULT_BRAND_ID } from '../common/context/brand-context.js';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Prisma, type BrandSettings } from '../generated/prisma/client.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { PrismaService, type Tx } from '../prisma/prisma.service.js';
import { afterCommit } from '../prisma/after-commit.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { InvalidInputError, ServiceUnavailableError, type FieldError } from '../common/errors/domain-errors.js';
import { DecryptionError, SecretBox } from '../common/crypto/secret-box.js';
import {
  credentialContext,
  credentialField,
  credentialOwner,
  credentialFields,
  credentialProviders,
  type StoredCredentials,
} from './credential-catalogue.js';
import type { SettingsResponse, UpdateSettingsDto } from './dto/settings.dto.js';
import type { CredentialsStatus, CredentialStatus } from './dto/credentials.dto.js';

/** How long an instance reuses the settings row. Writes on this instance refresh it at once; other instances within this. */
export const SETTINGS_CACHE_TTL_MS = 5_000;

/** The environment variable a credential falls back to. */
const envVarOf = (provider: string, field: string) => credentialField(provider, field)?.env;

export interface BrandProfile {
  name: string;
  slug: string;
  logoUrl: string | null;
  brandColor: string | null;
  supportEmail: string | null;
  supportPhone: string | null;
  defaultCurrency: string;
}

/**
 * The brand's runtime settings (one row per brand, the request's or job's brand). Reads go through a short cache per
 * brand so hot paths (checkout, notifications) do not query it every time; every write replaces the brand's entry. Payment credentials are stored as AES-256-GCM ciphertexts,
 * decrypted only when a provider needs them, and never leave the service except as { set, last4, source }.
 */
@Injectable()
export class SettingsService {
  private readonly logger = new Logger(SettingsService.name);
  private readonly cached = new Map<string, { row: BrandSettings; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<BrandSettings>>();
  /** Bumped by every write, so a read that started before the write cannot put the old row back in the cache. */
  private generation = 0;
  /** Plaintexts of credentials that decrypted, per row object (a cached row is never mutated), so hot paths decrypt once. */
  private readonly decrypted = new WeakMap<BrandSettings, Map<string, string>>();

  /** Each credential's environment variable as it was when the app started (by credentialContext), when set. */
  private readonly environment: ReadonlyMap<string, string>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly config: ConfigService<EnvironmentVariables, true>,
  ) {
    const env = config as unknown as ConfigService;
    this.environment = new Map(
      credentialProviders().flatMap((provider) =>
        Object.entries(credentialFields(provider)).flatMap(([field, spec]) => {
          const value = env.get<string>(spec.env);
          return value ? [[credentialContext(provider, field), value] as const] : [];
        }),
      ),
    );
  }

  async brand(): Promise<BrandProfile> {
    const row = await this.row();
    return {
      name: row.brandName,
      slug: row.slug,
      logoUrl: row.logoUrl,
      brandColor: row.brandColor,
      supportEmail: row.supportEmail,
      supportPhone: row.supportPhone,
      defaultCurrency: row.defaultCurrency,
    };
  }

  /** Seconds checkout holds stock for an unpaid order: the setting, else RESERVATION_TTL_SECONDS. */
  async reservationTtlSeconds(): Promise<number> {
    return (await this.row()).reservationTtlSeconds ?? this.config.get('RESERVATION_TTL_SECONDS', { infer: true });
  }

  /** Low-stock threshold for new variants that do not choose one (undefined: the column default). */
  async defaultLowStockThreshold(): Promise<number | undefined> {
    return (await this.row()).lowStockThreshold ?? undefined;
  }

  /** Cash on delivery is refused for a phone with this many parcels returned to origin; undefined: never. */
  async codRtoBlockThreshold(): Promise<number | undefined> {
    return (await this.row()).codRtoBlockThreshold ?? undefined;
  }

  /**
   * A payment credential in effect: the value stored in settings, else its environment variable. A stored value that
   * no longer decrypts (ENCRYPTION_KEY changed) is an error, not a silent fallback to another account's keys.
   */
  async credential(provider: string, field: string): Promise<string | undefined> {
    const row = await this.row();
    const stored = this.storedCredentials(row)[provider]?.[field];
    if (stored) return this.decryptedCredential(row, provider, field, stored);
    return this.envCredential(provider, field);
  }

  async view(): Promise<SettingsResponse> {
    return this.toResponse(await this.row());
  }

  async update(input: UpdateSettingsDto, actor: Actor): Promise<SettingsResponse> {
    const row = await this.prisma.serializable(async (tx) => {
      const current = await this.ensureRow(tx);
      const credentials = { ...this.storedCredentials(current) }; // only its top level is replaced below
      const credentialChanges: Record<string, 'set' | 'cleared'> = {};
      for (const provider of credentialProviders()) {
        const changes = input.credentials?.[provider];
        if (!changes) continue;
        const next = new Map(Object.entries(credentials[provider] ?? {}));
        for (const field of Object.keys(credentialFields(provider))) {
          const value = changes[field];
          if (value === undefined) continue;
          if (value === null) next.delete(field);
          else next.set(field, this.box.encrypt(value, credentialContext(provider, field)));
          credentialChanges[`${provider}.${field}`] = value === null ? 'cleared' : 'set';
        }
        credentials[provider] = Object.fromEntries(next);
      }
      const incomplete = this.incompleteRequired(
        credentials,
        credentialProviders().filter((p) => input.credentials?.[p]),
      );
      if (incomplete.length) throw new InvalidInputError(`Validation failed: ${incomplete.map((e) => e.field).join(', ')}`, incomplete);
      const data: Prisma.BrandSettingsUpdateInput = {
        ...(input.brandName !== undefined && { brandName: input.brandName }),
        ...(input.slug !== undefined && { slug: input.slug }),
        ...(input.supportEmail !== undefined && { supportEmail: input.supportEmail }),
        ...(input.supportPhone !== undefined && { supportPhone: input.supportPhone }),
        ...(input.defaultCurrency !== undefined && { defaultCurrency: input.defaultCurrency }),
        ...(input.reservationTtlSeconds !== undefined && { reservationTtlSeconds: input.reservationTtlSeconds }),
        ...(input.lowStockThreshold !== undefined && { lowStockThreshold: input.lowStockThreshold }),
        ...(input.codRtoBlockThreshold !== undefined && { codRtoBlockThreshold: input.codRtoBlockThreshold }),
        ...(input.logoUrl !== undefined && { logoUrl: input.logoUrl }),
        ...(input.brandColor !== undefined && { brandColor: input.brandColor }),
        ...(Object.keys(credentialChanges).length && { credentials }),
      };
      return this.write(tx, current, data, actor, Object.keys(credentialChanges).length ? credentialChanges : undefined);
    });
    return this.toResponse(row);
  }

  /** The order events this brand's customers are told about, if the brand chose them (null: the install's default). */
  async notifyEvents(): Promise<string[] | null> {
    const value = (await this.row()).notifyEvents;
    return Array.isArray(value) ? value.filter((e): e is string => typeof e === 'string') : null;
  }

  /** Sets (or, with null, forgets) the brand's choice of notified events; the caller validates the names. */
  async setNotifyEvents(events: string[] | null, actor: Actor): Promise<void> {
    await this.prisma.serializable(async (tx) =>
      this.write(tx, await this.ensureRow(tx), { notifyEvents: events ?? Prisma.DbNull }, actor, undefined),
    );
  }

  /** Writes the row, audits the change (credentials only as which fields were set or cleared) and refreshes the cache. */
  private async write(
    tx: Tx,
    current: BrandSettings,
    data: Prisma.BrandSettingsUpdateInput,
    actor: Actor,
    credentialChanges: Record<string, 'set' | 'cleared'> | undefined,
  ): Promise<BrandSettings> {
    const updated = await tx.brandSettings.update({ where: { id: current.id }, data });
    const { credentials: _before, ...before } = current;
    const { credentials: _after, ...after } = updated;
    await this.audit.record(tx, {
      actor,
      action: 'settings.updated',
      entityType: 'brand_settings',
      entityId: String(current.id),
      before,
      after: { ...after, ...(credentialChanges && { credentials: credentialChanges }) },
    });
    afterCommit(tx, () => {
      this.generation++;
      this.cached.set(updated.brandId, { row: updated, expiresAt: Date.now() + SETTINGS_CACHE_TTL_MS });
    });
    return updated;
  }

  /** A provider needs all its required credentials in effect (from settings or the environment), or none. */
  private incompleteRequired(stored: StoredCredentials, providers: string[]): FieldError[] {
    return providers.flatMap((provider) => {
      const required = Object.entries(credentialFields(provider))
        .filter(([, spec]) => spec.required ?? true)
        .map(([field]) => field);
      const inEffect = required.filter((field) => Boolean(stored[provider]?.[field] || this.envCredential(provider, field)));
      if (!inEffect.length) return [];
      return required
        .filter((field) => !inEffect.includes(field))
        .map((missing) => ({
          field: `credentials.${provider}.${missing}`,
          errors: [`${missing} is required while ${inEffect[0]} is set (here or in ${envVarOf(provider, missing)})`],
        }));
    });
  }

  private async row(): Promise<BrandSettings> {
    const brandId = activeBrandId();
    const cached = this.cached.get(brandId);
    if (cached && cached.expiresAt > Date.now()) return cached.row;
    let loading = this.loading.get(brandId);
    if (!loading) {
      loading = this.load(brandId).finally(() => this.loading.delete(brandId));
      this.loading.set(brandId, loading);
    }
    return loading;
  }

  private async load(brandId: string): Promise<BrandSettings> {
    const generation = this.generation;
    const row = (await this.prisma.brandSettings.findUnique({ where: { brandId } })) ?? (await this.ensureRow(this.prisma));
    if (generation === this.generation) this.cached.set(brandId, { row, expiresAt: Date.now() + SETTINGS_CACHE_TTL_MS });
    return row;
  }

  /** The brand's row, created with the schema defaults the first time anyone needs it. */
  private async ensureRow(db: Tx | PrismaService): Promise<BrandSettings> {
    await db.brandSettings.createMany({ data: [{}], skipDuplicates: true });
    return db.brandSettings.findUniqueOrThrow({ where: { brandId: activeBrandId() } });
  }

  /** The row's credentials as stored, not a copy: read-only. */
  private storedCredentials(row: BrandSettings): StoredCredentials {
    const value = row.credentials;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as StoredCredentials) : {};
  }

  /** decryptCredential, remembered per row object when it succeeds (failures are not remembered: they throw each time). */
  private decryptedCredential(row: BrandSettings, provider: string, field: string, sealed: string): string {
    let plaintexts = this.decrypted.get(row);
    if (!plaintexts) this.decrypted.set(row, (plaintexts = new Map<string, string>()));
    const key = `${provider}.${field}`;
    let plaintext = plaintexts.get(key);
    if (plaintext === undefined) {
      plaintext = this.decryptCredential(provider, field, sealed);
      plaintexts.set(key, plaintext);
    }
    return plaintext;
  }

  private decryptCredential(provider: string, field: string, sealed: string): string {
    try {
      return this.box.decrypt(sealed, credentialContext(provider, field));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      this.logger.error(`Stored credential ${provider}.${field} cannot be decrypted: ${error.message}`);
      throw new ServiceUnavailableError(
        `The stored ${provider} ${field} cannot be decrypted with the current ENCRYPTION_KEY; set it again in /admin/settings`,
      );
    }
  }

  /**
   * A credential's environment variable value (as it was at start), undefined when unset or empty. The environment is
   * the install's, so only the default brand falls back to it: another brand never pays into, ships with or messages
   * from the install owner's accounts.
   */
  private envCredential(provider: string, field: string): string | undefined {
    if (activeBrandId() !== DEFAULT_BRAND_ID) return undefined;
    return this.environment.get(credentialContext(provider, field));
  }

  private credentialStatus(stored: StoredCredentials, provider: string, field: string): CredentialStatus {
    const sealed = stored[provider]?.[field];
    if (sealed) {
      try {
        return { set: true, last4: this.box.decrypt(sealed, credentialContext(provider, field)).slice(-4), source: 'settings' };
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        return { set: true, last4: null, source: 'settings' };
      }
    }
    const env = this.envCredential(provider, field);
    return env ? { set: true, last4: env.slice(-4), source: 'environment' } : { set: false, last4: null, source: null };
  }

  private toResponse(row: BrandSettings): SettingsResponse {
    const stored = this.storedCredentials(row);
    const credentials: CredentialsStatus = Object.fromEntries(
      credentialProviders().map((provider) => [
        provider,
        Object.fromEntries(Object.keys(credentialFields(provider)).map((field) => [field, this.credentialStatus(stored, provider, field)])),
      ]),
    );
    return {
      brandName: row.brandName,
      slug: row.slug,
      supportEmail: row.supportEmail,
      supportPhone: row.supportPhone,
      defaultCurrency: row.defaultCurrency,
      reservationTtlSeconds: row.reservationTtlSeconds,
      effectiveReservationTtlSeconds: row.reservationTtlSeconds ?? this.config.get('RESERVATION_TTL_SECONDS', { infer: true }),
      lowStockThreshold: row.lowStockThreshold,
      codRtoBlockThreshold: row.codRtoBlockThreshold,
      logoUrl: row.logoUrl,
      brandColor: row.brandColor,
      credentials,
      credentialProviders: credentialProviders().flatMap((name) => {
        const owner = credentialOwner(name);
        return owner ? [{ name, ...owner }] : [];
      }),
      updatedAt: row.updatedAt,
    };
  }
}
