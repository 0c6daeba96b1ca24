import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditService } from '../audit/audit.service.js';
import { BrandsService } from '../brands/brands.service.js';
import type { Actor } from '../common/actor.js';
import { BrandContext, DEFAULT_BRAND_ID } from '../common/context/brand-context.js';
import { ConflictError, NotFoundError } from '../common/errors/domain-errors.js';
import type { EnvironmentVariables } from '../config/configuration.js';
import type { Brand } from '../generated/prisma/client.js';
import type { BrandStatus } from '../generated/prisma/enums.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { PlatformBrandResponse } from './dto/platform.dto.js';

const toResponse = (brand: Brand & { hosts: { host: string }[] }): PlatformBrandResponse => ({
  id: brand.id,
  slug: brand.slug,
  name: brand.name,
  status: brand.status,
  hosts: brand.hosts.map((row) => row.host),
  createdAt: brand.createdAt,
});

/**
 * The platform admin's view of the brands (platform mode). Every change is audited in the changed brand's own audit
 * trail (its admins see who suspended it and when), run as that brand like any of its work.
 */
@Injectable()
export class PlatformService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly brands: BrandsService,
    private readonly audit: AuditService,
    private readonly config: ConfigService<EnvironmentVariables, true>,
  ) {}

  async list(): Promise<PlatformBrandResponse[]> {
    this.requirePlatformMode();
    return (await this.brands.list()).map((brand) => toResponse(brand as Brand & { hosts: { host: string }[] }));
  }

  async get(id: string): Promise<PlatformBrandResponse> {
    this.requirePlatformMode();
    return toResponse(await this.brands.get(id));
  }

  /** Suspends (or reactivates) a brand. The default brand (the platform's own, where platform admins sign in) stays active. */
  async setStatus(id: string, status: BrandStatus, actor: Actor): Promise<PlatformBrandResponse> {
    this.requirePlatformMode();
    if (id === DEFAULT_BRAND_ID && status === 'SUSPENDED')
      throw new ConflictError('The default brand is the platform’s own and cannot be suspended');
    await BrandContext.run(id, () =>
      this.prisma.$transaction(async (tx) => {
        const { before, brand } = await this.brands.setStatus(tx, id, status);
        if (before === status) return;
        await this.audit.record(tx, {
          actor,
          action: status === 'SUSPENDED' ? 'brand.suspended' : 'brand.reactivated',
          entityType: 'brand',
          entityId: id,
          before: { status: before },
          after: { status: brand.status },
        });
      }),
    );
    this.brands.forget();
    return this.get(id);
  }

  async setHosts(id: string, hosts: string[], actor: Actor): Promise<PlatformBrandResponse> {
    this.requirePlatformMode();
    const unique = [...new Set(hosts)];
    await BrandContext.run(id, () =>
      this.prisma.$transaction(async (tx) => {
        const change = await this.brands.setHosts(tx, id, unique);
        await this.audit.record(tx, {
          actor,
          action: 'brand.hosts_set',
          entityType: 'brand',
          entityId: id,
          before: { hosts: change.before },
          after: { hosts: change.after },
        });
      }),
    );
    this.brands.forget();
    return this.get(id);
  }

  /** The platform routes exist in single-brand mode too (one API document), and answer 404 there. */
  private requirePlatformMode(): void {
    if (!this.config.get('PLATFORM_MODE', { infer: true })) throw new NotFoundError('Platform administration (PLATFORM_MODE is off)');
  }
}
