import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import boundaries from 'eslint-plugin-boundaries';

/**
 * The architecture (see README "Project layout"): dependencies point one way, down this list. A module may import
 * what is below it and what its own layer lists, never what is above; where a lower module must reach a higher one,
 * it owns a port (an abstract class) that the higher one implements: orders' PaymentGateway, outbox's
 * OutboxDestination, inventory's StockAlerts, settings' credential catalogue.
 */
const LAYERS = [
  // main.ts, app.factory.ts, app.module.ts: what is directly in src/ (matched last, so every module folder wins).
  { app: ['src'] },
  { seed: ['src/seed'] },
  { payments: ['src/payments'] },
  { orders: ['src/orders'] },
  { notifications: ['src/notifications'], 'webhook-endpoints': ['src/webhook-endpoints'] },
  { outbox: ['src/outbox'] },
  { cart: ['src/cart'] },
  { products: ['src/products'] },
  { inventory: ['src/inventory'] },
  // The base: any of these may use any other.
  {
    settings: ['src/settings'], auth: ['src/auth'], audit: ['src/audit'], ops: ['src/ops'], health: ['src/health'], common: ['src/common'],
    prisma: ['src/prisma'], database: ['src/database'], config: ['src/config'], generated: ['src/generated'],
  },
];
const BASE = Object.keys(LAYERS.at(-1));
const layerOf = (type) => LAYERS.findIndex((layer) => type in layer);
const elements = LAYERS.flatMap((layer) => Object.entries(layer).flatMap(([type, patterns]) => patterns.map((pattern) => ({ type, pattern }))))
  .sort((a, b) => b.pattern.length - a.pattern.length);
const types = LAYERS.flatMap((layer) => Object.keys(layer));
const policies = types.map((type) => ({
  from: { element: { type } },
  allow: {
    to: {
      element: {
        // Itself, everything in lower layers, and the base with itself; never a sibling of its own layer above the base.
        type: types.filter((other) => other === type || layerOf(other) > layerOf(type) || (BASE.includes(type) && BASE.includes(other))),
      },
    },
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'src/generated/', 'bench/results/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers in messages and SQL-free log lines read fine; objects and undefined still may not slip in.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Nest modules are decorated empty classes.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read HTTP answers (supertest's body is `any` by design) and assert on what they just created.
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/include': ['src/**/*'],
      'import/resolver': { typescript: { alwaysTryTypes: true } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
