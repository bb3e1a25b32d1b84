import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../src/repo-root';
import { runTool } from './support/run-tool';

// The manager's layer rules (MANAGER_LAYERS in eslint.config.mjs) run against virtual files:
// ESLint's `lintText` with a path inside apps/manager/src gives the rules the path they judge by,
// and nothing is written where other people build. The fixtures import real modules, so the
// resolver has to find them: a rule whose resolver finds nothing passes every import, upward ones
// included (that was the case of import-x/no-cycle before the resolver learnt `.ts`).

const LAYERS_RULE = 'import-x/no-restricted-paths';
const HTTP_IN_DOMAIN_RULE = 'no-restricted-imports';
const MANAGER_SRC = join(REPO_ROOT, 'apps/manager/src');

interface Problem {
  readonly ruleId: string | null;
  readonly message: string;
  readonly fatal: boolean;
}

/** A fixture module: one import, used, so the file is otherwise clean. */
function importing(importLine: string): string {
  const name = /import \{ (\w+) \}/.exec(importLine)![1]!;
  return `${importLine}\nexport const probe = ${name};\n`;
}

const UPWARD: ReadonlyArray<readonly [string, string, string]> = [
  [
    'database imports the requests engine',
    'database',
    "import { RequestsService } from '../requests/requests.service';",
  ],
  [
    'messaging imports the routing configuration outside its two named exceptions',
    'messaging',
    "import { ConfigService } from '../config/config.service';",
  ],
  [
    'the routing configuration imports workers',
    'config',
    "import { WorkerRegistry } from '../workers/worker-registry.service';",
  ],
  ['workers import the HTTP edge', 'workers', "import { ApiException } from '../http/api-error';"],
  [
    'workers import the workers controller, claimed by the edge',
    'workers',
    "import { WorkersController } from './workers.controller';",
  ],
  [
    'the requests engine imports the composition root',
    'requests',
    "import { AppModule } from '../app.module';",
  ],
];

const DOWNWARD: ReadonlyArray<readonly [string, string, string]> = [
  [
    'database imports the environment (config/manager-environment.ts sits below it)',
    'database',
    "import { loadEnvironment } from '../config/manager-environment';",
  ],
  [
    'the routing configuration imports the database',
    'config',
    "import { DatabaseService } from '../database/database.service';",
  ],
  [
    'the requests engine imports workers',
    'requests',
    "import { WorkerCatalogue } from '../workers/worker-catalogue.service';",
  ],
  [
    'the edge imports the requests engine',
    'api',
    "import { RequestsService } from '../requests/requests.service';",
  ],
];

const NOT_FOUND = [
  "import { NotFoundException } from '@nestjs/common';",
  'export const probe = (): never => {',
  "  throw new NotFoundException('no such request');",
  '};',
  '',
].join('\n');
const DOMAIN_FOLDERS = ['requests', 'workers', 'workflows', 'config'];

/** Every fixture, linted as `file` (by default a virtual `layer-probe.ts`) in the folder given. */
const FIXTURES: ReadonlyArray<{ folder: string; file?: string; code: string }> = [
  ...UPWARD.map(([, folder, line]) => ({ folder, code: importing(line) })),
  ...DOWNWARD.map(([, folder, line]) => ({ folder, code: importing(line) })),
  ...DOMAIN_FOLDERS.map((folder) => ({ folder, code: NOT_FOUND })),
  { folder: 'api', code: NOT_FOUND },
  // The workers controller file itself is edge code in the workers folder.
  { folder: 'workers', file: 'workers.controller.ts', code: importing(UPWARD[3]![2]) },
];

describe('manager layers (eslint.config.mjs)', () => {
  const sources = readdirSync(MANAGER_SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(MANAGER_SRC, file));
  let problems: Problem[][];
  let rulesOf: string[][];

  /** The rule ids reported for FIXTURES[index]; a fatal message (parse error) fails the test. */
  const rulesHit = (index: number): (string | null)[] => {
    const found = problems[index]!;
    expect(found.filter((problem) => problem.fatal).map((problem) => problem.message)).toEqual([]);
    return found.map((problem) => problem.ruleId);
  };

  beforeAll(async () => {
    const request = {
      cwd: REPO_ROOT,
      // The virtual fixtures are on no tsconfig's list; they get the manager's compiler options.
      allowDefaultProject: ['apps/manager/src/*/layer-probe.ts'],
      defaultProject: 'apps/manager/tsconfig.json',
      lint: FIXTURES.map((fixture) => ({
        filePath: `apps/manager/src/${fixture.folder}/${fixture.file ?? 'layer-probe.ts'}`,
        code: fixture.code,
      })),
      configOf: sources,
    };
    const run = await runTool(process.execPath, [
      join(__dirname, 'support', 'eslint-probe.cjs'),
      JSON.stringify(request),
    ]);
    if (run.code !== 0) throw new Error(`eslint-probe failed:\n${run.stderr}`);
    ({ lint: problems, rulesOf } = JSON.parse(run.stdout) as {
      lint: Problem[][];
      rulesOf: string[][];
    });
  }, 120_000);

  it.each(UPWARD.map(([name], index) => [name, index] as const))(
    'fails when %s',
    (_name, index) => {
      expect(rulesHit(index)).toContain(LAYERS_RULE);
    },
  );

  it.each(DOWNWARD.map(([name], index) => [name, UPWARD.length + index] as const))(
    'passes when %s',
    (_name, index) => {
      // The fixture is clean otherwise, so "no layer error" cannot hide behind another problem.
      expect(rulesHit(index)).toEqual([]);
    },
  );

  it.each(
    DOMAIN_FOLDERS.map(
      (folder, index) => [folder, UPWARD.length + DOWNWARD.length + index] as const,
    ),
  )(
    'keeps @nestjs/common HTTP exceptions out of %s/ (api/domain-errors.ts maps domain errors)',
    (_folder, index) => {
      expect(rulesHit(index)).toEqual([HTTP_IN_DOMAIN_RULE]);
    },
  );

  it('lets the edge throw them', () => {
    expect(rulesHit(FIXTURES.length - 2)).toEqual([]);
  });

  it('lets the workers controller, claimed by the edge, import the HTTP edge', () => {
    expect(rulesHit(FIXTURES.length - 1)).toEqual([]);
  });

  it('puts every manager source file in a layer', () => {
    expect(sources.length).toBeGreaterThan(50);
    const unlayered = sources
      .filter((_file, index) => !rulesOf[index]!.includes(LAYERS_RULE))
      .map((file) => relative(MANAGER_SRC, file));
    // The composition root (files directly in src/) is the top layer: it may import anything.
    // Anywhere else, a new folder needs a place in MANAGER_LAYERS, or nothing checks its imports.
    expect(unlayered.filter((file) => file.includes('/'))).toEqual([]);
    expect(unlayered).toContain('app.module.ts');
  });
});
