// The tests run a manager in-process, so like apps/manager's config, SWC also transpiles NestJS 12
// (ES modules only) and its ESM-only dependencies, which Jest's module runtime cannot require.
const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  transformIgnorePatterns: [
    '/node_modules/\\.pnpm/(?!(geotiff|quick-lru|@petamoriken|xml-utils|zstddec|lerc|pako|web-worker|@nestjs|uid|iterare|load-esm|file-type|strtok3|token-types|@tokenizer|uint8array-extras|path-to-regexp)[@+])',
  ],
};
