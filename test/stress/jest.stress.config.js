import base from '../../jest.config.js';

/**
 * The reliability suite (`npm run test:stress`): the same transform and scratch database as `npm test`, one file at
 * a time (each file loads the whole machine, and the bad-input file compares database fingerprints, which only works
 * when nothing else writes), and a global setup that also builds the app the crash and outage files start as child
 * processes. STRESS_SCALE (default 1, the CI setting) multiplies the load; see README.
 */
export default {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/stress/**/*.stress-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/stress/global-setup.mjs',
  testTimeout: 600000,
  maxWorkers: 1,
};
