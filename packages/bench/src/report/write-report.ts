import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DOCS_DIR } from '../support/paths';
import { markdownReport, type Report } from './markdown-report';
import { svgChart } from './svg-chart';

/** Writes `docs/benchmarks.json`, `docs/benchmarks.svg` and `docs/benchmarks.md`; returns their paths. */
export function writeReport(report: Report): string[] {
  mkdirSync(DOCS_DIR, { recursive: true });
  const json = join(DOCS_DIR, 'benchmarks.json');
  const svg = join(DOCS_DIR, 'benchmarks.svg');
  const md = join(DOCS_DIR, 'benchmarks.md');
  const { options, machine, figures, skips, seconds } = report;
  writeFileSync(
    json,
    `${JSON.stringify({ options: { ...options, only: [...options.only] }, machine, seconds, figures, skips }, null, 2)}\n`,
  );
  writeFileSync(
    svg,
    svgChart(
      figures,
      `Worker manager benchmarks: ${options.mode} run, ${machine.cores} cores, ${machine.date.slice(0, 10)}`,
    ),
  );
  writeFileSync(md, markdownReport(report));
  return [md, svg, json];
}
