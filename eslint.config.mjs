// One lint setup for the whole workspace: type-aware rules (floating promises are bugs in a
// message-driven system), no import cycles (one concept per file only works without them) and the
// manager's layers (arrows point down only).
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

// The manager's layers, lowest first: a file may import its own layer and lower ones, never a
// higher one (docs: "Layers you can draw"). Patterns are relative to apps/manager/src. A layer
// owns whole `folders`, and `files` patterns claim single files out of another layer's folder:
// they say what a file is where its folder says otherwise (controllers still beside their feature).
// The patterns in `files` must be globs (`@(a|b).ts`), as import-x only takes glob exceptions.
const MANAGER_SRC = 'apps/manager/src';
const MANAGER_LAYERS = [
  {
    name: 'environment',
    // Parsed once at boot, imported by everything; the routing configuration is a layer higher.
    files: ['config/@(manager-environment|environment.tokens|environment.module|broker-urls).ts'],
  },
  // Transport and storage. Metrics is not here: it reads the engine's and workers' counters.
  { name: 'infrastructure', folders: ['database', 'messaging', 'logging', 'tracing'] },
  { name: 'routing configuration', folders: ['config'] },
  { name: 'workers and workflows', folders: ['workers', 'workflows'] },
  // Webhook subscriptions, their outbox and its sender: the engine stages deliveries through it.
  { name: 'webhooks', folders: ['webhooks'] },
  { name: 'requests engine', folders: ['requests'] },
  {
    name: 'edge',
    folders: ['api', 'http', 'health', 'metrics', 'security', 'dashboard'],
    // The REST side of config and workers: nothing below the edge imports these files.
    files: [
      'config/@(config.controller|config-api.module).ts',
      'workers/@(workers.controller|workers-api.module|worker-views.service).ts',
      'workers/dto/**',
    ],
  },
  { name: 'composition root', files: ['*.ts'] },
];

// Upward imports the code makes today, each allowed for one file to named files only.
const MANAGER_LAYER_EXCEPTIONS = [
  // The topology declares a queue per configured worker type and redeclares on every change, so
  // messaging reads the routing configuration. Lifting it would mean a topology service above
  // config (or config pushing worker types down): worth doing, not in a lint change.
  { file: 'messaging/topology.service.ts', mayImport: ['config/config.service.ts'] },
  { file: 'messaging/messaging.module.ts', mayImport: ['config/config.module.ts'] },
  // Node's request/response aliases live in http/http-types.ts; the request-logging middleware
  // needs those types (type-only import) and is mounted by http/configure-http.ts.
  { file: 'logging/request-logging.middleware.ts', mayImport: ['http/http-types.ts'] },
];

/** Makes an exact path a glob matching only itself (import-x rejects non-glob exceptions). */
const exactGlob = (file) => `${path.dirname(file)}/@(${path.basename(file)})`;

/** ESLint config objects enforcing MANAGER_LAYERS and MANAGER_LAYER_EXCEPTIONS. */
function managerLayerConfigs() {
  const root = path.join(import.meta.dirname, MANAGER_SRC);
  const patternsOf = (layer) => [
    ...(layer.folders ?? []).map((folder) => `${folder}/**`),
    ...(layer.files ?? []),
  ];
  const claimed = MANAGER_LAYERS.flatMap((layer) => layer.files ?? []);
  const exceptionFiles = MANAGER_LAYER_EXCEPTIONS.map((exception) => exception.file);
  const edge = MANAGER_LAYERS.findIndex((layer) => layer.name === 'edge');

  return MANAGER_LAYERS.flatMap((layer, index) => {
    const higher = MANAGER_LAYERS.slice(index + 1);
    if (higher.length === 0) return [];
    const zone = (extraExcept) => ({
      target: root,
      from: higher.flatMap(patternsOf).map((pattern) => path.join(root, pattern)),
      // Files claimed by this layer or a lower one sit inside a higher layer's folder.
      except: [
        ...MANAGER_LAYERS.slice(0, index + 1).flatMap((l) => l.files ?? []),
        ...extraExcept,
      ].map((pattern) => path.join(root, pattern)),
      message: `The ${layer.name} layer may not import from a higher layer (${higher
        .map((l) => l.name)
        .join(', ')}): see MANAGER_LAYERS in eslint.config.mjs.`,
    });
    const rules = (extraExcept) => ({
      'import-x/no-restricted-paths': ['error', { zones: [zone(extraExcept)] }],
      // Below the edge, code throws domain errors; api/domain-errors.ts maps them to HTTP once.
      ...(index < edge && {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['@nestjs/common'],
                importNamePattern: '^(\\w+Exception|HttpStatus)$',
                message:
                  'HTTP belongs to the edge: throw a domain error and map it in api/domain-errors.ts.',
              },
            ],
          },
        ],
      }),
    });
    const own = patternsOf(layer).map((pattern) => `${MANAGER_SRC}/${pattern}`);
    // An exception's file belongs to the layer owning its folder (claimed files take none).
    const exceptions = MANAGER_LAYER_EXCEPTIONS.filter((exception) =>
      (layer.folders ?? []).includes(exception.file.split('/')[0]),
    );
    return [
      {
        files: own,
        ignores: [
          ...claimed.filter((p) => !(layer.files ?? []).includes(p)),
          ...exceptionFiles,
        ].map((pattern) => `${MANAGER_SRC}/${pattern}`),
        rules: rules([]),
      },
      ...exceptions.map((exception) => ({
        files: [`${MANAGER_SRC}/${exception.file}`],
        rules: rules(exception.mayImport.map(exactGlob)),
      })),
    ];
  });
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/coverage/**',
      '**/node_modules/**',
      '**/*.cjs',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    // The node resolver only tries .js/.json/.node by default: extensionless TypeScript imports
    // then resolve to nothing and import-x rules (no-cycle, no-restricted-paths) silently pass.
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'],
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Use explicit named exports, no export * barrels.',
        },
      ],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/*.test.ts', '**/*.spec.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  ...managerLayerConfigs(),
);
