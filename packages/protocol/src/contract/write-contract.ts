import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractJson } from './contract-document';
import { MESSAGE_REQUIREMENTS_FILE, messageRequirementsMarkdown } from './message-requirements';

// `pnpm contract`: regenerates the checked-in contract; a test fails when either is out of date.
const packageRoot = join(__dirname, '..', '..');
for (const [file, text] of [
  ['contract/asyncapi.json', contractJson()],
  [MESSAGE_REQUIREMENTS_FILE, messageRequirementsMarkdown()],
] as const) {
  const target = join(packageRoot, file);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
