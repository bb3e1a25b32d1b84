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
  // Scenario 10 runs a manager in this process; NestJS 12 ships ES modules only, so SWC
  // transpiles it and its ESM-only dependencies (the same list as apps/manager/jest.config.cjs).
  transformIgnorePatterns: [
    '/node_modules/\\.pnpm/(?!(geotiff|quick-lru|@petamoriken|xml-utils|zstddec|lerc|pako|web-worker|@nestjs|uid|iterare|load-esm|file-type|strtok3|token-types|@tokenizer|uint8array-extras|path-to-regexp)[@+])',
  ],
  globalTeardown: path.join(__dirname, 'src/global-teardown.ts'),
};
