/** Longest slug we store or generate; long enough for real product names, short enough for readable URLs. */
export const SLUG_MAX_LENGTH = 120;

const SLUG_CHUNK = '[\\p{Ll}\\p{Lo}\\p{Lm}\\p{N}\\p{M}]+';
/**
 * Lowercase letters and digits of any script (so "साड़ी" keeps a readable slug) separated by single hyphens.
 * No spaces, punctuation or leading/trailing hyphens, so a slug is always a clean URL path segment.
 */
export const SLUG_MESSAGE = 'slug must be lowercase letters and digits separated by single hyphens';
export const SLUG_PATTERN = new RegExp(`^${SLUG_CHUNK}(?:-${SLUG_CHUNK})*$`, 'u');

export function isValidSlug(value: string): boolean {
  return value.length <= SLUG_MAX_LENGTH && SLUG_PATTERN.test(value);
}

/**
 * The slug a product name suggests: Latin accents dropped ("Café" → "cafe"), other scripts kept, everything that is
 * not a letter or digit collapsed into one hyphen, cut at SLUG_MAX_LENGTH. Falls back to "product" for names made
 * only of symbols.
 */
export function slugify(name: string, maxLength = SLUG_MAX_LENGTH): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '-')
    .normalize('NFC')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '');
  return slug || 'product';
}

/** Every candidate firstFreeSlug can return starts with this, so loading the slugs with this prefix is enough. */
export function slugCandidatePrefix(base: string): string {
  return base.slice(0, SLUG_MAX_LENGTH - 20);
}

/** The first of base, base-2, base-3, ... that is not taken (the base is shortened so the suffix always fits). */
export function firstFreeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, SLUG_MAX_LENGTH - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
