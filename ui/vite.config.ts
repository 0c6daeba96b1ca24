import { defineConfig, type BuildEnvironmentOptions } from 'vite';

/**
 * One build, two pages, plus the storefront's server renderer.
 *
 * Browser build (`vite build`): the brand console (console.html, served for /console/...) and the storefront
 * (shop.html, the template of /shop, /shop/:slug, /checkout, /pay/:orderId, /track). Output goes to the server's static
 * folder, dist/public: hashed bundles in dist/public/assets, shared chunks (Preact, the API client) loaded once by
 * either page. No inline scripts or styles, so the pages run under the app's content security policy (script-src
 * 'self'; style-src 'self').
 *
 * Server build (`vite build --ssr`): src/shop/server.tsx, the same storefront components rendered to HTML, into
 * dist/ssr/shop-server.js with every dependency bundled in (the production image installs no UI packages). The Nest app
 * imports it to answer storefront pages with their content; the browser bundle then hydrates that HTML. CSS module
 * class names are derived from file and class name alike in both builds, so server markup and browser styles agree.
 */
const serverBuild: BuildEnvironmentOptions = {
  outDir: '../dist/ssr',
  emptyOutDir: true,
  target: 'node20',
  rolldownOptions: { input: { 'shop-server': 'src/shop/server.tsx' } },
};

const browserBuild: BuildEnvironmentOptions = {
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
};

export default defineConfig(({ isSsrBuild }) => ({
  root: import.meta.dirname,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  css: { modules: { generateScopedName: '[name]_[local]_[hash:base64:5]' } },
  ssr: { noExternal: true },
  build: isSsrBuild ? serverBuild : browserBuild,
}));
