import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/repo-root';
import { dclint, dockerComposeConfig, hasDockerCompose } from './support/compose-checks';

const COMPOSE_FILE = join(REPO_ROOT, 'docker', 'compose.yml');

/** A compose file with a key the specification does not have (dclint then stops at the schema). */
const BROKEN = [
  'name: broken',
  'services:',
  '  db:',
  '    image: postgres:17-alpine',
  '    restart_policy: always',
  '',
].join('\n');

/** A valid compose file that publishes a port on every interface. */
const OPEN_PORT = [
  'name: open',
  'services:',
  '  db:',
  '    image: postgres:17-alpine',
  "    ports: ['5432:5432']",
  '',
].join('\n');

describe('docker/compose.yml', () => {
  let folder: string;
  let broken: string;
  let openPort: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'compose-check-'));
    broken = join(folder, 'broken.yml');
    openPort = join(folder, 'open-port.yml');
    await writeFile(broken, BROKEN);
    await writeFile(openPort, OPEN_PORT);
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('passes dclint: the Compose Specification schema and the rules of .dclintrc.yaml', async () => {
    expect(await dclint(COMPOSE_FILE)).toEqual([]);
  }, 30_000);

  it('dclint catches broken files: an unknown key, a port bound to every interface', async () => {
    const rules = async (file: string) =>
      (await dclint(file)).map((problem) => `${problem.severity} ${problem.rule}`);
    expect(await rules(broken)).toEqual(['error invalid-schema']);
    expect(await rules(openPort)).toEqual(['error no-unbound-port-interfaces']);
  }, 30_000);

  if (hasDockerCompose()) {
    it('passes docker compose config, and the broken file does not', async () => {
      expect(await dockerComposeConfig(COMPOSE_FILE)).toMatchObject({ code: 0 });
      expect((await dockerComposeConfig(broken)).code).not.toBe(0);
    }, 60_000);
  } else {
    it.skip('passes docker compose config (skipped: the docker CLI here has no compose plugin; CI runs it)', () =>
      undefined);
  }
});
