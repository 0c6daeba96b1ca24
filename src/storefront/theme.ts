import { createHash } from 'node:crypto';

/**
 * The storefront's colours from the brand colour, as a stylesheet (the policy allows no inline styles). Contrast is
 * guaranteed whatever colour a brand picks: text on the colour is white or near-black, whichever reads better (WCAG
 * AA, 4.5:1, for white where it reaches it), and the shade used for links and hovers is darkened until it reaches
 * 4.5:1 on white.
 */
type Rgb = [number, number, number];

const parse = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const toHex = (rgb: Rgb) =>
  `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

function luminance([r, g, b]: Rgb): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a: string, b: string): number {
  const [l1, l2] = [luminance(parse(a)), luminance(parse(b))].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

/** The colour darkened in small steps until it reaches `ratio` against white. */
function darkenUntil(hex: string, ratio: number): string {
  let rgb = parse(hex);
  for (let i = 0; i < 40 && contrast(toHex(rgb), '#ffffff') < ratio; i++) rgb = rgb.map((c) => c * 0.92) as Rgb;
  return toHex(rgb);
}

export interface BrandTheme {
  brand: string;
  brandStrong: string;
  onBrand: string;
}

export function brandTheme(color: string): BrandTheme {
  const onBrand = contrast(color, '#ffffff') >= 4.5 || contrast(color, '#ffffff') >= contrast(color, '#16181d') ? '#ffffff' : '#16181d';
  const strong = darkenUntil(color, 4.5);
  return {
    brand: color,
    brandStrong: strong === color ? darkenUntil(toHex(parse(color).map((c) => c * 0.85) as Rgb), 4.5) : strong,
    onBrand,
  };
}

export function themeCss(color: string): string {
  const theme = brandTheme(color);
  return `:root{--brand:${theme.brand};--brand-strong:${theme.brandStrong};--on-brand:${theme.onBrand};--focus:${theme.brandStrong}}\n`;
}

/** A short version of the colour for the stylesheet's URL: a new colour is a new URL, so it can be cached for a year. */
export const themeVersion = (color: string) => createHash('sha256').update(color).digest('hex').slice(0, 10);
