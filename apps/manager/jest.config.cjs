// NestJS 12 ships ES modules only; Node runs them through require(esm), but Jest's module
// runtime cannot, so SWC also transpiles @nestjs (and its ESM-only dependencies) here.
const preset = require('../../jest.preset.cjs')(__dirname);

module.exports = {
  ...preset,
  transformIgnorePatterns: [
    '/node_modules/\\.pnpm/(?!(geotiff|quick-lru|@petamoriken|xml-utils|zstddec|lerc|pako|web-worker|@nestjs|uid|iterare|load-esm|file-type|strtok3|token-types|@tokenizer|uint8array-extras|path-to-regexp)[@+])',
  ],
};
