import base from '../../jest.config.js';

const scale = Math.max(1, Number(process.env.STRESS_SCALE ?? 1) || 1);

/**
 * The reliability suite (`npm run test:stress`): the same transform and scratch database as `npm test`, one file at
 * a time (each file loads the whole machine, and the bad-input file compares database fingerprints, which only works
 * when nothing else writes), and a global setup that also builds the app the crash and outage files start as child
 * processes. STRESS_SCALE (default 1, the CI setting) multiplies the load; see README. A stuck test fails after five
 * minutes per unit of scale instead of holding CI, and forceExit ends the run once the results are in, so a handle a
 * killed child process leaves behind cannot keep the runner alive.
 */
export default {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/stress/**/*.stress-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/stress/global-setup.mjs',
  testTimeout: 300_000 * scale,
  maxWorkers: 1,
  forceExit: true,
};
