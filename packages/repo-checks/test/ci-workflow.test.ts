import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/repo-root';
import { referencedPaths } from '../src/workflow-paths';

const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');

function missingPaths(workflow: string): string[] {
  return referencedPaths(workflow).filter((path) => !existsSync(join(REPO_ROOT, path)));
}

describe('the GitHub workflows', () => {
  const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name));

  it.each(files)('%s refers only to files that exist', (file) => {
    const workflow = readFileSync(join(WORKFLOWS, file), 'utf8');
    expect(referencedPaths(workflow).length).toBeGreaterThan(0);
    expect(missingPaths(workflow)).toEqual([]);
  });

  it('builds every Dockerfile of the repository and validates the compose file', () => {
    const workflow = readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8');
    const dockerfiles = execFileSync('git', ['ls-files', '*Dockerfile'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((line) => line !== '');
    expect(dockerfiles.length).toBeGreaterThan(0);
    for (const dockerfile of dockerfiles)
      expect(workflow).toContain(`docker build -f ${dockerfile} `);
    expect(workflow).toContain('docker compose -f docker/compose.yml config -q');
  });

  it('catches a broken workflow: a Dockerfile that no longer exists', () => {
    const broken = [
      'jobs:',
      '  docker:',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: docker build -f docker/worker.Dockerfile --build-arg WORKER=file-mover -t file-mover .',
      '      - run: node -p "require(\'./package.json\').version"',
      '      - run: echo "host all all 127.0.0.1/32 trust" | sudo tee "/etc/postgresql/$cluster/main/pg_hba.conf"',
      '      - run: curl -f http://localhost:3000/health/ready',
    ].join('\n');
    expect(referencedPaths(broken)).toEqual(['docker/worker.Dockerfile', 'package.json']);
    expect(missingPaths(broken)).toEqual(['docker/worker.Dockerfile']);
  });
});
