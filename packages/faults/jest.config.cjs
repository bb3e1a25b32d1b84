// The fault suite disturbs shared services (broker restart, database stop) and runs child
// processes: one test file at a time, with room for recoveries. `pnpm test:faults` runs it;
// the root `pnpm test` leaves it out on purpose. The global teardown writes docs/reliability.md.
const path = require('node:path');
const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 240_000,
  globalTeardown: path.join(__dirname, 'src/global-teardown.ts'),
};
