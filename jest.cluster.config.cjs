// `pnpm test:cluster`: the tests that start services of their own on this machine (a
// three-node RabbitMQ cluster, PgBouncer) and take minutes, kept out of `pnpm test`. Their
// files end in `.cluster.test.ts`; the shared preset leaves them out of the default run.
const path = require('node:path');

const projects = ['packages/testkit', 'apps/manager'].map((dir) => {
  const config = require(path.join(__dirname, dir, 'jest.config.cjs'));
  return {
    ...config,
    displayName: `${config.displayName} (cluster)`,
    testMatch: ['<rootDir>/test/**/*.cluster.test.ts'],
    testPathIgnorePatterns: ['/node_modules/'],
  };
});

// One suite at a time: each starts its own broker nodes or pooler on a 2-core machine.
module.exports = { projects, maxWorkers: 1, testTimeout: 240_000 };
