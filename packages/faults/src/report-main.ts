import { writeReport } from './report';

/** `pnpm --filter @org/faults report`: regenerates docs/reliability.md from the latest results. */
writeReport().then(
  (path) => process.stdout.write(`wrote ${path}\n`),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
