import { defineConfig } from 'vite';

/**
 * One build, two pages: the brand console (console.html, served for /console/...) and the storefront (shop.html, for
 * /shop, /pay/:orderId, /track). Output goes to the server's static folder, dist/public: hashed bundles in
 * dist/public/assets, shared chunks (Preact, the API client) loaded once by either page. No inline scripts or
 * styles, so the pages run under the app's content security policy (script-src 'self'; style-src 'self').
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/public',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    modulePreload: { polyfill: false },
    // Everything as files: an inlined data: asset would be the only thing the policy must make room for.
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: { console: 'console.html', shop: 'shop.html' },
    },
  },
});
