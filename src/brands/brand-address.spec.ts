import { describe, expect, it } from '@jest/globals';
import { DEFAULT_BRAND_ID } from '../common/context/brand-context.js';
import { BRAND_PATH_PREFIX, brandPathPrefix, brandPublicBase } from './brand-address.js';

const other = { id: '6f1c2a8e-2b7e-4b8e-9a53-0d1c2f3a4b5c', slug: 'chai-point', hosts: [] as string[] };
const defaultBrand = { id: DEFAULT_BRAND_ID, slug: 'orderline', hosts: [] as string[] };
const platform = { publicUrl: 'https://orderline.example', platformMode: true };

describe('brandPublicBase (where a customer message links to)', () => {
  it('is the public URL for every brand of a single-brand install, its hosts and slug notwithstanding', () => {
    const single = { publicUrl: 'http://localhost:3000', platformMode: false, platformDomain: 'shops.example.com' };
    expect(brandPublicBase(defaultBrand, single)).toBe('http://localhost:3000');
    expect(brandPublicBase({ ...defaultBrand, hosts: ['shop.example.com'] }, single)).toBe('http://localhost:3000');
  });

  it('puts another brand under its path prefix in platform mode, and the default brand at the public URL', () => {
    expect(brandPublicBase(other, platform)).toBe('https://orderline.example/b/chai-point');
    expect(brandPublicBase(defaultBrand, platform)).toBe('https://orderline.example');
    // The prefix written is the one the resolution reads back.
    expect(BRAND_PATH_PREFIX.exec(`${brandPathPrefix(other.slug)}/shop`)?.[1]).toBe(other.slug);
  });

  it("prefers the brand's mapped host, then its subdomain, on the public URL's scheme and port", () => {
    const withDomain = { ...platform, platformDomain: 'shops.example.com' };
    expect(brandPublicBase(other, withDomain)).toBe('https://chai-point.shops.example.com');
    expect(brandPublicBase({ ...other, hosts: ['www.chai.example', 'chai.example'] }, withDomain)).toBe('https://chai.example');
    expect(brandPublicBase({ ...defaultBrand, hosts: ['main.example'] }, withDomain)).toBe('https://main.example');
    // The default brand is at the public URL itself, not at a subdomain.
    expect(brandPublicBase(defaultBrand, withDomain)).toBe('https://orderline.example');
    const local = { publicUrl: 'http://localhost:8080/', platformMode: true, platformDomain: 'lvh.me' };
    expect(brandPublicBase(other, local)).toBe('http://chai-point.lvh.me:8080');
    expect(brandPublicBase(defaultBrand, local)).toBe('http://localhost:8080');
  });
});
