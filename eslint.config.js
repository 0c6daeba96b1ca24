import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';

/**
 * The architecture (README "Project layout"): dependencies point one way, down this list. A module may import what is
 * below it, never what is above or beside it; where a lower module must reach a higher one, it owns a port (an
 * abstract class) that the higher one implements: orders' PaymentGateway, outbox's OutboxDestination, inventory's
 * StockAlerts, settings' credential catalogue. The web UI reaches the server only through the typed API client.
 */
const LAYERS = [
  // Operator commands run the whole app.
  { cli: ['src/cli'] },
  // main.ts, app.factory.ts, app.module.ts, environment.ts, openapi.ts: what lies directly in src/ (matched last: module folders win).
  { app: ['src'] },
  { seed: ['src/seed'] },
  // The storefront's server-rendered pages; admin views across the domain: in-progress idempotency keys (with the
  // orders and refunds they made), encrypted secrets, staff accounts, customers (read from orders), the overview.
  {
    storefront: ['src/storefront'],
    'idempotency-keys': ['src/idempotency-keys'],
    secrets: ['src/secrets'],
    staff: ['src/staff'],
    customers: ['src/customers'],
    overview: ['src/overview'],
    platform: ['src/platform'],
  },
  { payments: ['src/payments'], shipping: ['src/shipping'] },
  { orders: ['src/orders'] },
  // Drops: schedules, early access, per-customer limits and waitlists, which checkout consults.
  { drops: ['src/drops'] },
  { notifications: ['src/notifications'], 'webhook-endpoints': ['src/webhook-endpoints'] },
  { outbox: ['src/outbox'] },
  { cart: ['src/cart'] },
  { products: ['src/products'] },
  { inventory: ['src/inventory'] },
  // The base, itself layered.
  { settings: ['src/settings'], health: ['src/health'], live: ['src/live'], storage: ['src/storage'] },
  { auth: ['src/auth'] },
  { audit: ['src/audit'], ops: ['src/ops'], idempotency: ['src/idempotency'] },
  // The brands of the install: request resolution (ops) and registration (auth) read them.
  { brands: ['src/brands'] },
  { prisma: ['src/prisma'], database: ['src/database'] },
  // Errors, HTTP plumbing (the route access vocabulary included), crypto, ports, scheduling.
  { common: ['src/common'] },
  { config: ['src/config'], generated: ['src/generated'] },
];
const layerOf = (type) => LAYERS.findIndex((layer) => type in layer);
const serverTypes = LAYERS.flatMap((layer) => Object.keys(layer));
const elements = [
  ...LAYERS.flatMap((layer) => Object.entries(layer).flatMap(([type, patterns]) => patterns.map((pattern) => ({ type, pattern })))),
  { type: 'ui', pattern: 'ui/src' },
  { type: 'api-client', pattern: 'clients/ts/src' },
].sort((a, b) => b.pattern.length - a.pattern.length);
const policies = [
  ...serverTypes.map((type) => ({
    from: { element: { type } },
    allow: {
      to: {
        element: { type: serverTypes.filter((other) => other === type || layerOf(other) > layerOf(type)) },
      },
    },
  })),
  { from: { element: { type: 'ui' } }, allow: { to: { element: { type: ['ui', 'api-client'] } } } },
  { from: { element: { type: 'api-client' } }, allow: { to: { element: { type: 'api-client' } } } },
];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      'src/generated/',
      'bench/results/',
      '.data/',
      'test-results/',
      'playwright-report/',
      'clients/ts/src/schema.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['prisma.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers in messages read fine; objects and undefined still may not slip into a string.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Nest modules are decorated empty classes.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // `(x) => doSomething(x)` handlers returning void are the idiom of callbacks and event handlers.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Response DTOs are classes so that Swagger can describe them; plain objects of their shape are what routes return
      // (and what is spread into other answers).
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-misused-spread': 'off',
    },
  },
  {
    // Tests read HTTP answers (supertest's body is `any` by design), assert on what they just created, and tear down
    // fixtures defensively (a failed beforeAll leaves them unset whatever their type says).
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Stubs implement async interfaces without awaiting; jest asserts on methods it spied on; simulators and
      // assertion messages work with the untyped bodies of HTTP requests and answers.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      // process.env entries are put back by deleting them; jsonwebtoken's claim types are marked deprecated.
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-deprecated': 'off',
    },
  },
  {
    // Event handlers may be async: the component handles their outcome itself.
    files: ['ui/src/**/*.tsx'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }] },
  },
  {
    files: ['src/**/*.ts', 'ui/src/**/*.{ts,tsx}', 'clients/ts/src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/include': ['src/**/*', 'ui/src/**/*', 'clients/ts/src/**/*'],
      'import/resolver': {
        typescript: {
          alwaysTryTypes: true,
          noWarnOnMultipleProjects: true,
          project: ['tsconfig.json', 'ui/tsconfig.json', 'clients/ts/tsconfig.json'],
        },
      },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  prettier,
);
