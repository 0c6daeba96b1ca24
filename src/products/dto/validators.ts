import { isURL, registerDecorator, type ValidationOptions } from 'class-validator';

export const ATTRIBUTE_LIMITS = { keys: 20, keyLength: 40, valueLength: 200 } as const;

/** Variant attributes: a flat object of up to 20 short keys with string, number or boolean values ({ size: 'M' }). */
export function IsVariantAttributes(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isVariantAttributes',
      target: object.constructor,
      propertyName,
      options: {
        message:
          `${propertyName} must be an object of at most ${ATTRIBUTE_LIMITS.keys} keys (up to ${ATTRIBUTE_LIMITS.keyLength} ` +
          `characters) with string (up to ${ATTRIBUTE_LIMITS.valueLength} characters), number or boolean values`,
        ...options,
      },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= ATTRIBUTE_LIMITS.keys &&
            entries.every(
              ([key, v]) =>
                key.length > 0 &&
                key.length <= ATTRIBUTE_LIMITS.keyLength &&
                ((typeof v === 'string' && v.length <= ATTRIBUTE_LIMITS.valueLength) ||
                  (typeof v === 'number' && Number.isFinite(v)) ||
                  typeof v === 'boolean'),
            )
          );
        },
      },
    });
}

/** An uploaded image on this site (what POST /products/:id/images answers): /media/<folder>/<uuid>.<ext>. */
const MEDIA_PATH = /^\/media\/[a-z]+\/[0-9a-f-]{36}\.(jpg|png|gif|webp)$/;

/** Product images: http(s) URLs (a CDN, the brand's site) or images uploaded here (/media/...). */
export function IsImageUrl(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isImageUrl',
      target: object.constructor,
      propertyName,
      options: { message: `each value in ${propertyName} must be an http(s) URL or an uploaded image path (/media/...)`, ...options },
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'string') return false;
          return MEDIA_PATH.test(value) || isURL(value, { protocols: ['http', 'https'], require_protocol: true });
        },
      },
    });
}
