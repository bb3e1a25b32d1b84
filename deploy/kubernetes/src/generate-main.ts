import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GENERATED_DIR, generatedFiles } from './generate';

/** `pnpm kubernetes:generate`: rewrites `base/workers/` from the list of worker types. */
function main(): void {
  const root = join(__dirname, '..');
  const files = generatedFiles();
  const dir = join(root, GENERATED_DIR);
  mkdirSync(dir, { recursive: true });
  // A type removed from the list loses its files too.
  for (const name of readdirSync(dir)) {
    if (!files.has(`${GENERATED_DIR}/${name}`)) rmSync(join(dir, name));
  }
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  process.stdout.write(`wrote ${files.size} files to deploy/kubernetes/${GENERATED_DIR}\n`);
}

main();
