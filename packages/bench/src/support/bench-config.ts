import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigYaml, unwrap } from '@org/protocol';
import { benchOutDir } from './paths';

/** Worker types and content types of the system scenarios. */
export const BENCH = {
  noopType: 'bench-noop',
  noopContentType: 'bench/noop',
  step1Type: 'bench-step1',
  step2Type: 'bench-step2',
  workflow: 'bench/two-step',
  /** A graph workflow (design 5.4): step 1, then step 2 and noop in parallel, then step 1 (fan-in). */
  diamond: 'bench/diamond',
} as const;

export const BENCH_WORKER_TYPES = [BENCH.noopType, BENCH.step1Type, BENCH.step2Type] as const;

/**
 * Writes the manager's configuration for namespace `ns` (`WM_CONFIG`), after checking it with the
 * protocol's own validator so a mistake here fails before a manager is started.
 */
export function writeBenchConfig(ns: string): string {
  const yaml = [
    'workers:',
    `  - type: ${BENCH.noopType}`,
    `    contentTypes: [${BENCH.noopContentType}]`,
    `  - type: ${BENCH.step1Type}`,
    `  - type: ${BENCH.step2Type}`,
    'workflows:',
    `  - type: ${BENCH.workflow}`,
    `    steps: [${BENCH.step1Type}, ${BENCH.step2Type}]`,
    `  - type: ${BENCH.diamond}`,
    '    steps:',
    `      - { id: first, worker: ${BENCH.step1Type} }`,
    `      - { id: left, worker: ${BENCH.step2Type}, after: [first] }`,
    `      - { id: right, worker: ${BENCH.noopType}, after: [first] }`,
    `      - { id: join, worker: ${BENCH.step1Type}, after: [left, right] }`,
    '',
  ].join('\n');
  unwrap(parseConfigYaml(yaml));
  const file = join(benchOutDir(), `${ns}.config.yaml`);
  writeFileSync(file, yaml);
  return file;
}
