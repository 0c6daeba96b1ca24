import { stat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Injectable } from '@nestjs/common';
import { UI_ROOT } from '../ops/ui-hosting.js';
import { escapeHtml, jsonForScript, meta } from './html.js';
import type { PageHead, ShopData } from './shop-data.js';

/** Where `npm run build` puts the storefront's server renderer (ui/src/shop/server.tsx, built by `vite build --ssr`). */
export const SSR_BUNDLE = path.resolve(import.meta.dirname, '../../dist/ssr/shop-server.js');

type RenderShop = (data: ShopData) => string;

/**
 * Turns a storefront page into HTML: the built shop.html (with its hashed bundle and stylesheet tags) plus the head of
 * this page (title, description, Open Graph, theme), the page's markup from the server renderer, and its data as a
 * JSON element for the browser to hydrate from. Both built files are read again when a build replaces them.
 */
@Injectable()
export class PageRenderer {
  private template?: { mtimeMs: number; html: string };
  private renderer?: { mtimeMs: number; render: RenderShop };
  private readonly uiRoot = UI_ROOT;
  private readonly ssrBundle = SSR_BUNDLE;

  /** The page's HTML, or undefined when the web UI has not been built. */
  async render(data: ShopData, head: PageHead, themeHref?: string): Promise<string | undefined> {
    const [template, render] = await Promise.all([this.loadTemplate(), this.loadRenderer()]);
    if (!template || !render) return undefined;
    const app = render(data);
    const headTags = [...headElements(head), ...(themeHref ? [`<link rel="stylesheet" href="${escapeHtml(themeHref)}" />`] : [])].join(
      '\n    ',
    );
    // Replacements are functions: a `$` in a product name must stay a `$`, not a replacement pattern.
    return template
      .replace(/<html lang="[^"]*">/, () => `<html lang="${escapeHtml(data.locale)}">`)
      .replace(/<title>[^<]*<\/title>/, () => `<title>${escapeHtml(head.title)}</title>`)
      .replace('</head>', () => `  ${headTags}\n  </head>`)
      .replace(
        '<div id="app"></div>',
        () => `<div id="app">${app}</div>\n    <script type="application/json" id="shop-data">${jsonForScript(data)}</script>`,
      );
  }

  private async loadTemplate(): Promise<string | undefined> {
    const file = path.join(this.uiRoot, 'shop.html');
    const info = await stat(file).catch(() => undefined);
    if (!info) return undefined;
    if (this.template?.mtimeMs !== info.mtimeMs) this.template = { mtimeMs: info.mtimeMs, html: await readFile(file, 'utf8') };
    return this.template.html;
  }

  private async loadRenderer(): Promise<RenderShop | undefined> {
    const info = await stat(this.ssrBundle).catch(() => undefined);
    if (!info) return undefined;
    if (this.renderer?.mtimeMs !== info.mtimeMs) {
      // A rebuilt bundle is a new module: the modification time in the URL gives it its own cache entry.
      const module = (await import(`${pathToFileURL(this.ssrBundle).href}?v=${info.mtimeMs}`)) as { renderShop: RenderShop };
      this.renderer = { mtimeMs: info.mtimeMs, render: module.renderShop };
    }
    return this.renderer.render;
  }
}

/** Title, description and the link-preview tags WhatsApp, Instagram and other apps read (Open Graph). */
function headElements(head: PageHead): string[] {
  const tags = [meta('name', 'description', head.description)];
  if (head.kind === 'private') return [...tags, meta('name', 'robots', 'noindex')];
  tags.push(
    meta('property', 'og:type', head.kind),
    meta('property', 'og:title', head.title),
    meta('property', 'og:description', head.description),
  );
  if (head.url) tags.push(meta('property', 'og:url', head.url), `<link rel="canonical" href="${escapeHtml(head.url)}" />`);
  if (head.image) tags.push(meta('property', 'og:image', head.image), meta('name', 'twitter:card', 'summary_large_image'));
  if (head.price)
    tags.push(meta('property', 'product:price:amount', head.price.amount), meta('property', 'product:price:currency', head.price.currency));
  return tags;
}
