import { ValidateBy, isURL } from 'class-validator';

const HEX_COLOUR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** "#1F6" and "#1f6f5c" alike are stored as "#11ff66" / "#1f6f5c": one spelling per colour. */
export const normalizeBrandColor = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string' || !HEX_COLOUR.test(value.trim())) return value;
  const hex = value.trim().slice(1).toLowerCase();
  return `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
};

export const IsBrandColor = () =>
  ValidateBy({
    name: 'isBrandColor',
    validator: {
      validate: (value) => typeof value === 'string' && /^#[0-9a-f]{6}$/.test(value),
      defaultMessage: () => 'brandColor must be a hex colour such as #1f6f5c',
    },
  });

/**
 * A logo the storefront may show: https:// (any host; the page's policy allows https images) or a path on this site
 * ("/brand/logo.svg"). Not http:// (mixed content), not "//host" (protocol-relative), no other scheme (javascript:, data:).
 */
export function isLogoUrl(value: unknown): boolean {
  if (typeof value !== 'string' || /\s/.test(value)) return false;
  if (value.startsWith('/')) return !value.startsWith('//') && !value.startsWith('/\\');
  return isURL(value, { protocols: ['https'], require_protocol: true, require_tld: true });
}

export const IsLogoUrl = () =>
  ValidateBy({
    name: 'isLogoUrl',
    validator: { validate: isLogoUrl, defaultMessage: () => 'logoUrl must be an https:// URL or a path on this site starting with /' },
  });
