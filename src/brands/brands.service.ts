import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BrandContext, DEFAULT_BRAND_ID } from '../common/context/brand-context.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import { ConflictError, NotFoundError } from '../common/errors/domain-errors.js';
import { Prisma, type Brand } from '../generated/prisma/client.js';
import type { BrandStatus } from '../generated/prisma/enums.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { Tx } from '../prisma/prisma.service.js';
import { brandPublicBase } from './brand-address.js';

/** What request resolution needs of a brand. */
export interface BrandRef {
  id: string;
  slug: string;
  name: string;
  status: BrandStatus;
}

/** A brand slug: lower-case letters, digits and inner hyphens (it appears in paths, host names and provider notes). */
export const BRAND_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

/**
 * How long a resolved brand is remembered per instance. Every public request resolves its brand, so this keeps it off
 * the database; a suspension made on another instance applies there within this time (at once on this one).
 */
const LOOKUP_TTL_MS = 5_000;

const toRef = (brand: Brand): BrandRef => ({ id: brand.id, slug: brand.slug, name: brand.name, status: brand.status });

/** The brands of the install. Not brand-owned: the table is read across brands (README "Brands"). */
@Injectable()
export class BrandsService {
  private readonly cache = new Map<string, { brand: BrandRef | null; expiresAt: number }>();

  private readonly bases = new Map<string, { base: Promise<string>; expiresAt: number }>();
  private jobBrands?: { ids: Promise<string[]>; expiresAt: number };
  private readonly platformMode: boolean;
  private readonly links: { publicUrl: string; platformMode: boolean; platformDomain?: string };

  constructor(
    private readonly prisma: PrismaService,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    this.platformMode = config.get('PLATFORM_MODE', { infer: true });
    this.links = {
      publicUrl: config.get('PUBLIC_URL', { infer: true }),
      platformMode: this.platformMode,
      platformDomain: config.get('PLATFORM_DOMAIN', { infer: true }),
    };
  }

  /** The brand's absolute public address for customer messages (see brandPublicBase): its shop is `<base>/shop`. */
  publicBase(id: string): Promise<string> {
    const hit = this.bases.get(id);
    if (hit && hit.expiresAt > Date.now()) return hit.base;
    const base = this.prisma.brand
      .findUniqueOrThrow({ where: { id }, select: { id: true, slug: true, hosts: { select: { host: true } } } })
      .then((brand) => brandPublicBase({ ...brand, hosts: brand.hosts.map((row) => row.host) }, this.links));
    this.bases.set(id, { base, expiresAt: Date.now() + LOOKUP_TTL_MS });
    base.catch(() => this.bases.delete(id));
    return base;
  }

  /**
   * The brands background jobs (reservation expiry, outbox, tracking polls, payment recovery, key clean-up) run for,
   * one after another, each as that brand under row-level security (no job bypasses it): every brand in platform mode,
   * suspended ones included (their stock is still released, their money still recorded); the default brand otherwise.
   */
  jobBrandIds(): Promise<string[]> {
    if (!this.platformMode) return Promise.resolve([DEFAULT_BRAND_ID]);
    if (!this.jobBrands || this.jobBrands.expiresAt <= Date.now()) {
      const ids = this.prisma.brand.findMany({ select: { id: true }, orderBy: { id: 'asc' } }).then((rows) => rows.map((row) => row.id));
      this.jobBrands = { ids, expiresAt: Date.now() + LOOKUP_TTL_MS };
      ids.catch(() => (this.jobBrands = undefined));
    }
    return this.jobBrands.ids;
  }

  /**
   * Creates a brand with what every brand has from its first moment: its own order-number sequence and its settings
   * row (named after it). One transaction, run as the new brand, so its rows carry its brand_id like any other work;
   * `within` adds the brand's first rows (its owner) to the same transaction. A taken slug is a 409.
   */
  async create(input: { slug: string; name: string }, within?: (tx: Tx, brand: Brand) => Promise<void>): Promise<Brand> {
    const id = randomUUID();
    try {
      return await BrandContext.run(id, () =>
        this.prisma.$transaction(async (tx) => {
          const brand = await tx.brand.create({ data: { id, slug: input.slug, name: input.name } });
          await tx.$executeRaw`SELECT orderline_create_order_number_sequence(${id}::uuid)`;
          await tx.brandSettings.create({ data: { brandName: input.name, slug: input.slug } });
          await within?.(tx, brand);
          return brand;
        }),
      ).finally(() => this.forget());
    } catch (error) {
      if (
        error instanceof Prisma.PrismaClientKnownRequestError &&
        error.code === 'P2002' &&
        JSON.stringify(error.meta ?? error.message).includes('slug')
      )
        throw new ConflictError(`The brand slug "${input.slug}" is taken`, [{ field: 'brandSlug', errors: ['brandSlug is taken'] }]);
      throw error;
    }
  }

  list(): Promise<Brand[]> {
    return this.prisma.brand.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], include: { hosts: { orderBy: { host: 'asc' } } } });
  }

  async get(id: string): Promise<Brand & { hosts: { host: string }[] }> {
    const brand = await this.prisma.brand.findUnique({ where: { id }, include: { hosts: { orderBy: { host: 'asc' } } } });
    if (!brand) throw new NotFoundError('Brand', id);
    return brand;
  }

  /** Suspends or reactivates a brand; `before` is its status until now. */
  async setStatus(tx: Tx, id: string, status: BrandStatus): Promise<{ before: BrandStatus; brand: Brand }> {
    const [locked] = await tx.$queryRaw<
      ({ status: BrandStatus } | undefined)[]
    >`SELECT status FROM brands WHERE id = ${id}::uuid FOR UPDATE`;
    if (!locked) throw new NotFoundError('Brand', id);
    const brand = await tx.brand.update({ where: { id }, data: { status } });
    return { before: locked.status, brand };
  }

  /** Replaces the host names that serve a brand. A host another brand has is a 409. */
  async setHosts(tx: Tx, id: string, hosts: string[]): Promise<{ before: string[]; after: string[] }> {
    const [locked] = await tx.$queryRaw<({ id: string } | undefined)[]>`SELECT id FROM brands WHERE id = ${id}::uuid FOR UPDATE`;
    if (!locked) throw new NotFoundError('Brand', id);
    const before = (await tx.brandHost.findMany({ where: { brandId: id }, orderBy: { host: 'asc' } })).map((row) => row.host);
    const taken = await tx.brandHost.findMany({ where: { host: { in: hosts }, brandId: { not: id } } });
    if (taken.length) throw new ConflictError(`${taken.map((row) => row.host).join(', ')} already serve another brand`);
    await tx.brandHost.deleteMany({ where: { brandId: id } });
    await tx.brandHost.createMany({ data: hosts.map((host) => ({ host, brandId: id })) });
    return { before, after: [...hosts].sort() };
  }

  /** Forgets what request resolution remembers (after a change to brands on this instance). */
  forget(): void {
    this.cache.clear();
    this.bases.clear();
    this.jobBrands = undefined;
  }

  bySlug(slug: string): Promise<BrandRef | null> {
    if (!BRAND_SLUG.test(slug)) return Promise.resolve(null);
    return this.cached(`slug:${slug}`, () => this.prisma.brand.findUnique({ where: { slug } }));
  }

  byId(id: string): Promise<BrandRef | null> {
    return this.cached(`id:${id}`, () => this.prisma.brand.findUnique({ where: { id } }));
  }

  byHost(host: string): Promise<BrandRef | null> {
    return this.cached(
      `host:${host}`,
      async () => (await this.prisma.brandHost.findUnique({ where: { host }, include: { brand: true } }))?.brand ?? null,
    );
  }

  private async cached(key: string, load: () => Promise<Brand | null>): Promise<BrandRef | null> {
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.brand;
    const found = await load();
    const brand = found && toRef(found);
    // Unknown names are remembered too (a scan of made-up slugs costs one query per name and TTL), in a bounded map.
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { brand, expiresAt: Date.now() + LOOKUP_TTL_MS });
    return brand;
  }
}
