// `pnpm test` runs every workspace package that has a jest.config.cjs, in one Jest run.
// Packages with long suites (faults, bench) keep their tests out of it and have their own commands.
const fs = require('node:fs');
const path = require('node:path');

const groups = ['packages', 'apps', 'examples', 'deploy'];
const excluded = new Set(['packages/bench', 'packages/faults']);
const projects = groups.flatMap((group) =>
  fs
    .readdirSync(path.join(__dirname, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${group}/${entry.name}`)
    .filter(
      (dir) => !excluded.has(dir) && fs.existsSync(path.join(__dirname, dir, 'jest.config.cjs')),
    )
    .map((dir) => `<rootDir>/${dir}`),
);

// testTimeout is a global option: the preset's per-project value is ignored under `projects`.
module.exports = { projects, maxWorkers: 2, testTimeout: 60_000 };
