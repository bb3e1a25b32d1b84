// Shared Jest preset: SWC transpiles TypeScript (with legacy decorators and their metadata, which
// NestJS, TypeORM and class-validator need), and workspace packages resolve to their sources so
// tests never depend on a stale build.
const path = require('node:path');

const root = __dirname;

/** @param {string} dir the package directory */
module.exports = function preset(dir) {
  return {
    rootDir: dir,
    displayName: path.relative(root, dir),
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
    // `*.cluster.test.ts` start services of their own and take minutes; `*.solo.test.ts` load the
    // broker so hard that a test beside them stalls: both run one at a time in `pnpm test:cluster`.
    testPathIgnorePatterns: ['/node_modules/', '\\.(cluster|solo)\\.test\\.ts$'],
    transform: {
      '^.+\\.(t|j|mj)s$': [
        require.resolve('@swc/jest'),
        {
          swcrc: false,
          jsc: {
            target: 'es2022',
            parser: { syntax: 'typescript', decorators: true },
            transform: {
              legacyDecorator: true,
              decoratorMetadata: true,
              useDefineForClassFields: false,
            },
            keepClassNames: true,
          },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    // Some dependencies (geotiff and friends) ship ESM only; let SWC turn them into CommonJS.
    transformIgnorePatterns: [
      '/node_modules/\\.pnpm/(?!(geotiff|quick-lru|@petamoriken|xml-utils|zstddec|lerc|pako|web-worker)[@+])',
    ],
    moduleNameMapper: {
      '^@org/protocol$': path.join(root, 'packages/protocol/src/index.ts'),
      '^@org/amqp-kit$': path.join(root, 'packages/amqp-kit/src/index.ts'),
      '^@org/worker-sdk$': path.join(root, 'packages/worker-sdk/src/index.ts'),
      '^@org/worker-sdk/testing$': path.join(root, 'packages/worker-sdk/src/testing/index.ts'),
      '^@org/testkit$': path.join(root, 'packages/testkit/src/index.ts'),
      '^@org/manager$': path.join(root, 'apps/manager/src/index.ts'),
      '^@org/example-file-mover$': path.join(root, 'examples/file-mover/src/index.ts'),
      '^@org/example-metadata-extractor$': path.join(
        root,
        'examples/metadata-extractor/src/index.ts',
      ),
    },
    globalSetup: path.join(root, 'packages/testkit/src/global-setup.ts'),
    globalTeardown: path.join(root, 'packages/testkit/src/global-teardown.ts'),
    testTimeout: 60_000,
  };
};
