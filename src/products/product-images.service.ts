import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../prisma/prisma.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../common/actor.js';
import { InvalidInputError, NotFoundError } from '../common/errors/domain-errors.js';
import { ObjectStorage, sniffImage } from '../storage/object-storage.js';
import { ProductsService } from './products.service.js';
import { CatalogueWrites } from '../live/catalogue-writes.js';
import type { ProductResponse } from './dto/products.dto.js';

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_IMAGES = 20;

/** Product images uploaded by staff: checked to be an image, stored behind ObjectStorage, added to the product. */
@Injectable()
export class ProductImagesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly storage: ObjectStorage,
    private readonly audit: AuditService,
    private readonly products: ProductsService,
    private readonly writes: CatalogueWrites,
  ) {}

  async upload(productId: string, body: unknown, actor: Actor): Promise<ProductResponse> {
    if (!Buffer.isBuffer(body) || !body.length) {
      throw new InvalidInputError('Send the image itself as the body, with Content-Type image/jpeg, image/png, image/webp or image/gif');
    }
    const image = sniffImage(body);
    if (!image) throw new InvalidInputError('The file is not a JPEG, PNG, WebP or GIF image');
    const product = await this.prisma.product.findUnique({ where: { id: productId }, select: { images: true } });
    if (!product) throw new NotFoundError('Product', productId);
    if (product.images.length >= MAX_IMAGES) throw new InvalidInputError(`A product has at most ${MAX_IMAGES} images; remove one first`);

    // Stored first, then added in a transaction: a failed transaction leaves an unused file, never a broken image link.
    const key = `products/${randomUUID()}.${image.extension}`;
    await this.storage.put(key, body, image.type);
    const url = this.storage.publicUrl(key);
    try {
      await this.prisma.serializable(async (tx) => {
        const locked = await tx.product.findUnique({ where: { id: productId }, select: { images: true } });
        if (!locked) throw new NotFoundError('Product', productId);
        await tx.product.update({ where: { id: productId }, data: { images: { push: url } } });
        this.writes.changed(tx, [productId]);
        await this.audit.record(tx, {
          actor,
          action: 'product.image_added',
          entityType: 'product',
          entityId: productId,
          after: { image: url, type: image.type, bytes: body.length },
        });
      });
    } catch (error) {
      await this.storage.delete(key).catch(() => undefined);
      throw error;
    }
    return this.products.get(productId, { admin: true });
  }
}
