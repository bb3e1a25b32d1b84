import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractJson } from './contract-document';

// `pnpm contract`: regenerates the checked-in contract; a test fails when it is out of date.
const target = join(__dirname, '..', '..', 'contract', 'asyncapi.json');
writeFileSync(target, contractJson());
process.stdout.write(`wrote ${target}\n`);
