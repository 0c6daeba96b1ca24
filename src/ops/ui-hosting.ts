import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { RequestContext } from '../common/context/request-context.js';

/** Where `npm run build` puts the web UI (ui/, built by Vite): dist/public, from src/ops or dist/ops alike. */
export const UI_ROOT = path.resolve(import.meta.dirname, '../../dist/public');

/**
 * The pages of the web UI served as built, and the client-side routes each one answers: the browser app routes within
 * its page, so a reload or a shared link on any of these paths gets the page's HTML. (The storefront's pages are
 * rendered per request by src/storefront from the built shop.html.)
 */
const PAGES: { file: string; serves: RegExp }[] = [{ file: 'console.html', serves: /^\/console(\/.*)?$/ }];

/**
 * Serves the built web UI from the API's own origin: hashed bundles under /assets (cached for a year, immutable: a
 * new build has new names) and each page's HTML for its client routes (revalidated on every load, so a deploy is
 * picked up at once). Mounted on these paths only, so API requests never touch the file system. GET / goes to the
 * console (under a brand's path prefix, that brand's console). Without a build the pages answer 404 saying so.
 */
export function serveUi(app: INestApplication, root = UI_ROOT): void {
  (app as NestExpressApplication).useStaticAssets(path.join(root, 'assets'), {
    prefix: '/assets/',
    index: false,
    redirect: false,
    immutable: true,
    maxAge: '365d',
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const readable = req.method === 'GET' || req.method === 'HEAD';
    if (readable && req.path === '/') {
      res.redirect(302, `${RequestContext.get()?.basePath ?? ''}/console/`);
      return;
    }
    const page = readable ? PAGES.find((p) => p.serves.test(req.path)) : undefined;
    if (!page) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(page.file, { root, dotfiles: 'deny' }, (error?: NodeJS.ErrnoException) => {
      if (!error || res.headersSent) return;
      if (error.code !== 'ENOENT') {
        next(error);
        return;
      }
      res.status(404).json({ statusCode: 404, error: 'Not Found', message: 'The web UI is not built: run npm run build' });
    });
  });
}
