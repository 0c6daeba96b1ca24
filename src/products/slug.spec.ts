import { firstFreeSlug, isValidSlug, slugCandidatePrefix, slugify, SLUG_MAX_LENGTH } from './slug.js';

describe('slugs', () => {
  it('turns names into lowercase hyphenated slugs', () => {
    expect(slugify('Indigo Block-Print Kurta')).toBe('indigo-block-print-kurta');
    expect(slugify('  Single-Origin Coffee, Chikmagalur!  ')).toBe('single-origin-coffee-chikmagalur');
    expect(slugify('Crème Brûlée — 250g')).toBe('creme-brulee-250g');
    expect(slugify('T-Shirt (XL) / 100% cotton')).toBe('t-shirt-xl-100-cotton');
  });

  it('keeps non-Latin scripts readable and falls back for symbol-only names', () => {
    expect(slugify('हैंडलूम साड़ी')).toBe('हैंडलूम-साड़ी');
    expect(isValidSlug(slugify('हैंडलूम साड़ी'))).toBe(true);
    expect(slugify('★ ★ ★')).toBe('product');
  });

  it('caps the length without leaving a trailing hyphen', () => {
    const slug = slugify(`${'a'.repeat(SLUG_MAX_LENGTH - 1)} bcd`);
    expect(slug).toBe('a'.repeat(SLUG_MAX_LENGTH - 1));
    expect(isValidSlug(slug)).toBe(true);
  });

  it('accepts only clean slugs', () => {
    for (const good of ['kurta', 'kurta-2', 'a-b-c', '250g']) expect(isValidSlug(good)).toBe(true);
    for (const bad of ['', 'Kurta', 'kurta--2', '-kurta', 'kurta-', 'kurta 2', 'kurta/2', 'kurta_2', 'a'.repeat(SLUG_MAX_LENGTH + 1)]) {
      expect(isValidSlug(bad)).toBe(false);
    }
  });

  it('numbers clashing slugs from 2 upwards, within the length cap', () => {
    expect(firstFreeSlug('kurta', new Set())).toBe('kurta');
    expect(firstFreeSlug('kurta', new Set(['kurta']))).toBe('kurta-2');
    expect(firstFreeSlug('kurta', new Set(['kurta', 'kurta-2', 'kurta-3']))).toBe('kurta-4');
    const long = 'b'.repeat(SLUG_MAX_LENGTH);
    const next = firstFreeSlug(long, new Set([long]));
    expect(next).toHaveLength(SLUG_MAX_LENGTH);
    expect(next.endsWith('-2')).toBe(true);
    expect(next.startsWith(slugCandidatePrefix(long))).toBe(true);
  });
});
