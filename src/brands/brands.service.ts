import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { BrandContext } from '../common/context/brand-context.js';
import type { Brand } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';

/** The brands of the install. Not brand-owned: the table is read across brands (README "Brands"). */
@Injectable()
export class BrandsService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Creates a brand with what every brand has from its first moment: its own order-number sequence and its settings
   * row (named after it). One transaction, run as the new brand, so its rows carry its brand_id like any other work.
   */
  async create(input: { slug: string; name: string }): Promise<Brand> {
    const id = randomUUID();
    return BrandContext.run(id, () =>
      this.prisma.$transaction(async (tx) => {
        const brand = await tx.brand.create({ data: { id, slug: input.slug, name: input.name } });
        await tx.$executeRaw`SELECT orderline_create_order_number_sequence(${id}::uuid)`;
        await tx.brandSettings.create({ data: { brandName: input.name, slug: input.slug } });
        return brand;
      }),
    );
  }
}
