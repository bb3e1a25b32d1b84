import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDockerIgnored, parseDockerignore } from '../src/dockerignore';
import { REPO_ROOT } from '../src/repo-root';

/** Source paths of the `COPY` instructions of a Dockerfile (multi-stage `--from` copies excluded). */
function copiedSources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/i.test(line.trim()) && !/--from=/.test(line))
    .flatMap((line) => {
      const parts = line
        .trim()
        .split(/\s+/)
        .slice(1)
        .filter((part) => !part.startsWith('--'));
      return parts.slice(0, -1);
    });
}

describe('.dockerignore', () => {
  const rules = parseDockerignore(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));

  it.each([
    'node_modules/.pnpm/x/index.js',
    'apps/manager/node_modules/@nestjs/core/index.js',
    'apps/manager/dist/main.js',
    'packages/protocol/dist/index.js',
    'packages/protocol/tsconfig.build.tsbuildinfo',
    '.git/HEAD',
    'coverage/lcov.info',
    'apps/manager/coverage/lcov.info',
    '.bench-out/run-1/results.json',
  ])('keeps %s out of the build context', (path) => {
    expect(isDockerIgnored(rules, path)).toBe(true);
  });

  it('keeps in every file git tracks outside .github, so the images build from sources', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((path) => path !== '' && !path.startsWith('.github/'));
    expect(tracked.filter((path) => isDockerIgnored(rules, path))).toEqual([]);
  });

  it('keeps in what each Dockerfile copies from the context', () => {
    const dockerfiles = execFileSync('git', ['ls-files', '*Dockerfile'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((path) => path !== '');
    for (const dockerfile of dockerfiles) {
      const sources = copiedSources(readFileSync(join(REPO_ROOT, dockerfile), 'utf8'));
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources.filter((path) => path !== '.'))
        expect(isDockerIgnored(rules, source)).toBe(false);
    }
  });

  it('reads patterns as Docker does: ** at any depth, the last matching rule decides', () => {
    const sample = parseDockerignore('# comment\n**/dist\n/logs/\n*.md\n!README.md\n');
    expect(isDockerIgnored(sample, 'a/b/dist/x.js')).toBe(true);
    expect(isDockerIgnored(sample, 'dist')).toBe(true);
    expect(isDockerIgnored(sample, 'logs/today.log')).toBe(true);
    expect(isDockerIgnored(sample, 'CHANGES.md')).toBe(true);
    expect(isDockerIgnored(sample, 'README.md')).toBe(false);
    expect(isDockerIgnored(sample, 'docs/CHANGES.md')).toBe(false);
    expect(isDockerIgnored(sample, 'src/distance.ts')).toBe(false);
  });
});
