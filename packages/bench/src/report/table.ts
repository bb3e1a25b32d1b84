import { formatRatio, formatValue, verdict, type ResolvedFigure, type Skip } from '../results';

export const TABLE_HEADER = ['Figure', 'Value', 'Baseline', 'Ratio', 'Target', 'Result'] as const;

/** One row per figure, in the order of {@link TABLE_HEADER}. */
export function tableRows(figures: readonly ResolvedFigure[]): string[][] {
  return figures.map((figure) => [
    figure.note ? `${figure.label} (${figure.note})` : figure.label,
    formatValue(figure.value, figure.unit),
    figure.baseline
      ? `${figure.baseline.label}: ${formatValue(figure.baseline.value, figure.baseline.unit)}`
      : '',
    figure.baselineId ? formatRatio(figure.ratio) : '',
    figure.targetText ?? '',
    verdict(figure.pass),
  ]);
}

/** The plain-text table printed at the end of a run. */
export function textTable(figures: readonly ResolvedFigure[], skips: readonly Skip[]): string {
  const rows = [[...TABLE_HEADER], ...tableRows(figures)];
  const widths = TABLE_HEADER.map((_, column) =>
    Math.max(...rows.map((row) => [...(row[column] ?? '')].length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const out = [
    line(rows[0]!),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.slice(1).map(line),
  ];
  for (const skip of skips) out.push(`skipped ${skip.scenario}: ${skip.reason}`);
  return out.join('\n');
}

/** The same table in Markdown. */
export function markdownTable(figures: readonly ResolvedFigure[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const rows = tableRows(figures).map((row) => `| ${row.map(escape).join(' | ')} |`);
  return [
    `| ${TABLE_HEADER.join(' | ')} |`,
    `|${TABLE_HEADER.map(() => '---').join('|')}|`,
    ...rows,
  ].join('\n');
}
