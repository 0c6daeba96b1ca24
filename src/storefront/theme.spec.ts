import { brandTheme, contrast, themeCss } from './theme.js';

describe('brand theme', () => {
  it.each(['#3b4ed8', '#ffeb3b', '#00ff00', '#111111', '#ff0000', '#7fffd4', '#ffffff', '#000000', '#1f6f5c'])(
    'keeps text on %s and links in its shade readable (AA 4.5:1)',
    (color) => {
      const theme = brandTheme(color);
      expect(theme.brand).toBe(color);
      expect(contrast(theme.brandStrong, '#ffffff')).toBeGreaterThanOrEqual(4.5);
      // The button text is whichever of white and near-black reads better on the colour.
      expect(contrast(theme.onBrand, color)).toBeGreaterThanOrEqual(
        Math.min(4.5, Math.max(contrast('#ffffff', color), contrast('#16181d', color))),
      );
    },
  );

  it('chooses dark text on a light brand colour and white on a dark one', () => {
    expect(brandTheme('#ffeb3b').onBrand).toBe('#16181d');
    expect(brandTheme('#1f3a8a').onBrand).toBe('#ffffff');
  });

  it('writes only the custom properties, from a validated #rrggbb colour', () => {
    expect(themeCss('#1f6f5c')).toMatch(
      /^:root\{--brand:#1f6f5c;--brand-strong:#[0-9a-f]{6};--on-brand:#(ffffff|16181d);--focus:#[0-9a-f]{6}\}\n$/,
    );
  });
});
