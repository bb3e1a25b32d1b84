import { type Results, type Target } from '../results';

/** Adds one `CPU per request` figure per component (ms of CPU per completed request). */
export function addCpuFigures(
  results: Results,
  scenario: string,
  idPrefix: string,
  what: string,
  cpuMs: Record<string, number>,
  count: number,
  judged?: { readonly baselineId: string; readonly target: Target },
): void {
  const parts = Object.entries(cpuMs).map(([name, ms]) => `${name} ${(ms / count).toFixed(2)}`);
  const total = Object.values(cpuMs).reduce((sum, ms) => sum + ms, 0) / count;
  results.add({
    id: `${idPrefix}.cpu`,
    scenario,
    label: `CPU per request, ${what}`,
    value: total,
    unit: 'ms',
    note: parts.join(', '),
    ...judged,
  });
}
