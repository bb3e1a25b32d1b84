import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DIR, generatedFiles } from '../src/generate';
import { MANIFESTS } from './support/render';

describe('generated worker manifests', () => {
  it('match the list of worker types (run `pnpm kubernetes:generate` after changing it)', () => {
    const expected = generatedFiles();
    const onDisk = readdirSync(join(MANIFESTS, GENERATED_DIR)).map(
      (name) => `${GENERATED_DIR}/${name}`,
    );
    expect(onDisk.sort()).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) {
      expect({ path, content: readFileSync(join(MANIFESTS, path), 'utf8') }).toEqual({
        path,
        content,
      });
    }
  });

  it('refuses a type listed twice', () => {
    const [first] = generatedFiles().keys();
    expect(first).toBeDefined();
    expect(() =>
      generatedFiles([
        {
          type: 'a',
          image: 'i',
          description: 'd',
          concurrency: 1,
          concurrencyVariable: 'C',
          maxReplicas: 1,
          resources: { requests: { cpu: '1', memory: '1Mi' }, limits: { memory: '1Mi' } },
        },
        {
          type: 'a',
          image: 'i',
          description: 'd',
          concurrency: 1,
          concurrencyVariable: 'C',
          maxReplicas: 1,
          resources: { requests: { cpu: '1', memory: '1Mi' }, limits: { memory: '1Mi' } },
        },
      ]),
    ).toThrow(/listed twice/);
  });
});
