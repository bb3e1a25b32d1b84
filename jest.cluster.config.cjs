// `pnpm test:cluster`: the tests that start services of their own on this machine (a
// three-node RabbitMQ cluster, PgBouncer) and take minutes (`*.cluster.test.ts`), and the ones
// that load the broker so hard that a test running beside them stalls (`*.solo.test.ts`: 2,000
// payloads of 1 MiB), kept out of `pnpm test` and run one at a time.
const path = require('node:path');

const projects = ['packages/testkit', 'apps/manager'].map((dir) => {
  const config = require(path.join(__dirname, dir, 'jest.config.cjs'));
  return {
    ...config,
    displayName: `${config.displayName} (cluster)`,
    testMatch: ['<rootDir>/test/**/*.cluster.test.ts', '<rootDir>/test/**/*.solo.test.ts'],
    testPathIgnorePatterns: ['/node_modules/'],
  };
});

// One suite at a time: each starts its own broker nodes or pooler on a 2-core machine.
module.exports = { projects, maxWorkers: 1, testTimeout: 240_000 };
