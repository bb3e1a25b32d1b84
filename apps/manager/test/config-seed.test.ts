import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestNamespace } from '@org/testkit';
import { ConfigService } from '../src/config/config.service';
import { type RunningManager } from '../src/start-manager';
import { startTestManager } from './support/harness';

function yamlFor(type: string): string {
  return `workers:\n  - type: ${type}\n    contentTypes: [seed/${type}]\n`;
}

function inEffect(manager: RunningManager): { version: number; types: string[] } {
  const config = manager.app.get(ConfigService);
  return { version: config.version(), types: config.workerTypes() };
}

describe('WM_CONFIG at start versus a configuration imported through REST', () => {
  const ns = useTestNamespace('mf');

  it('applies the file when it changed since it was last applied, keeps a REST import across restarts with the same file, and bumps the version once when replicas start together', async () => {
    ns().workerTypes.add('seed-a').add('seed-b').add('seed-c').add('seed-d');
    const dir = await mkdtemp(join(tmpdir(), 'wm-config-'));
    ns().defer(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'manager.yaml');
    const start = () => startTestManager(ns(), undefined, { configPath: file });

    await writeFile(file, yamlFor('seed-a'));
    const first = await start();
    expect(inEffect(first)).toEqual({ version: 1, types: ['seed-a'] });
    // What PUT /api/v1/config does.
    await first.app
      .get(ConfigService)
      .replace({ workers: [{ type: 'seed-b', contentTypes: ['seed/seed-b'] }] });
    await first.close();

    // Same file: the import survives the restart.
    const second = await start();
    expect(inEffect(second)).toEqual({ version: 2, types: ['seed-b'] });
    await second.close();

    // Edited file: it wins, once.
    await writeFile(file, yamlFor('seed-c'));
    const third = await start();
    expect(inEffect(third)).toEqual({ version: 3, types: ['seed-c'] });
    await third.close();
    const fourth = await start();
    expect(inEffect(fourth)).toEqual({ version: 3, types: ['seed-c'] });
    await fourth.close();

    // A reformatted file with the same content is not a change (the digest is of the document).
    await writeFile(file, `# edited comment\n${yamlFor('seed-c')}`);
    const fifth = await start();
    expect(inEffect(fifth)).toEqual({ version: 3, types: ['seed-c'] });
    await fifth.close();

    // Two replicas rolling out a new file together: one new version, not two.
    await writeFile(file, yamlFor('seed-d'));
    const replicas = await Promise.all([start(), start()]);
    for (const replica of replicas) {
      expect(inEffect(replica)).toEqual({ version: 4, types: ['seed-d'] });
    }
  });
});
