import { formatRatio, formatValue, type ResolvedFigure } from '../results';

const WIDTH = 960;
const LABEL_WIDTH = 260;
const BAR_AREA = 400;
const ROW = 26;
const COLORS = {
  met: '#2e7d32',
  missed: '#c62828',
  none: '#607d8b',
  p50: '#90caf9',
  p95: '#42a5f5',
  p99: '#1565c0',
};

/**
 * The chart of `docs/benchmarks.md`, written by hand (no chart library): one panel of throughput
 * ratios against their baselines with the target marked, one of latency percentiles.
 */
export function svgChart(figures: readonly ResolvedFigure[], title: string): string {
  const ratios = figures.filter(
    (figure) => figure.chart === 'throughput' && figure.ratio !== undefined,
  );
  const latency = figures.filter(
    (figure) => figure.chart === 'latency' && figure.group && figure.series,
  );
  const parts: string[] = [];
  let y = 30;
  parts.push(text(16, y, title, { size: 16, weight: 'bold' }));
  y += 28;

  parts.push(
    text(
      16,
      y,
      'Throughput as a ratio of its baseline (same run, same machine); dashed line = target',
      { size: 12, weight: 'bold' },
    ),
  );
  y += 14;
  const maxRatio = Math.max(
    1.25,
    ...ratios.map((figure) => figure.ratio!),
    ...ratios.map((figure) => targetRatio(figure) ?? 0),
  );
  const scale = (ratio: number) => (ratio / maxRatio) * BAR_AREA;
  const top = y;
  for (const figure of ratios) {
    const color =
      figure.pass === undefined ? COLORS.none : figure.pass ? COLORS.met : COLORS.missed;
    parts.push(text(LABEL_WIDTH - 8, y + 17, figure.label, { size: 12, anchor: 'end' }));
    parts.push(
      `<rect x="${LABEL_WIDTH}" y="${y + 5}" width="${scale(figure.ratio!).toFixed(1)}" height="${ROW - 10}" fill="${color}"/>`,
    );
    const target = targetRatio(figure);
    if (target !== undefined) {
      const x = LABEL_WIDTH + scale(target);
      parts.push(
        `<line x1="${x.toFixed(1)}" y1="${y + 2}" x2="${x.toFixed(1)}" y2="${y + ROW - 2}" stroke="#000" stroke-dasharray="3,2"/>`,
      );
    }
    const detail = `${formatRatio(figure.ratio)}  (${formatValue(figure.value, figure.unit)} vs ${formatValue(figure.baseline!.value, figure.baseline!.unit)})`;
    // Right of the bar and of the target mark, so the text never sits on the dashed line.
    const textX =
      LABEL_WIDTH + Math.max(scale(figure.ratio!), target === undefined ? 0 : scale(target)) + 6;
    parts.push(text(textX, y + 17, detail, { size: 11 }));
    y += ROW;
  }
  if (ratios.length === 0) {
    parts.push(text(LABEL_WIDTH, y + 17, 'no ratio measured in this run', { size: 11 }));
    y += ROW;
  } else {
    const x1 = LABEL_WIDTH + scale(1);
    parts.push(
      `<line x1="${x1.toFixed(1)}" y1="${top}" x2="${x1.toFixed(1)}" y2="${y}" stroke="#9e9e9e"/>`,
    );
    parts.push(text(x1, y + 12, '1.0×', { size: 10, anchor: 'middle' }));
    y += 14;
  }

  y += 24;
  parts.push(
    text(
      16,
      y,
      'Latency percentiles (ms) at a fixed offered rate; dashed line = 50 ms target for p99 at 25% load',
      { size: 12, weight: 'bold' },
    ),
  );
  y += 14;
  const groups = [...new Set(latency.map((figure) => figure.group!))];
  const maxMs = Math.max(50, ...latency.map((figure) => figure.value)) * 1.05;
  const msScale = (ms: number) => (ms / maxMs) * BAR_AREA;
  const latencyTop = y;
  for (const group of groups) {
    const members = latency.filter((figure) => figure.group === group);
    parts.push(
      text(LABEL_WIDTH - 8, y + 14 + ((members.length - 1) * 16) / 2, group, {
        size: 12,
        anchor: 'end',
      }),
    );
    for (const figure of members) {
      const color = COLORS[figure.series as 'p50' | 'p95' | 'p99'] ?? COLORS.none;
      parts.push(
        `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${Math.max(1, msScale(figure.value)).toFixed(1)}" height="13" fill="${color}"/>`,
      );
      parts.push(
        text(
          LABEL_WIDTH + msScale(figure.value) + 6,
          y + 14,
          `${figure.series} ${formatValue(figure.value, 'ms')}`,
          { size: 10 },
        ),
      );
      y += 16;
    }
    y += 8;
  }
  if (groups.length === 0) {
    parts.push(text(LABEL_WIDTH, y + 14, 'no latency measured in this run', { size: 11 }));
    y += ROW;
  } else {
    const x50 = LABEL_WIDTH + msScale(50);
    parts.push(
      `<line x1="${x50.toFixed(1)}" y1="${latencyTop}" x2="${x50.toFixed(1)}" y2="${y}" stroke="#000" stroke-dasharray="3,2"/>`,
    );
    parts.push(text(x50, y + 12, '50 ms', { size: 10, anchor: 'middle' }));
    y += 14;
  }
  y += 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function targetRatio(figure: ResolvedFigure): number | undefined {
  return figure.target?.kind === 'ratio-at-least' ? figure.target.min : undefined;
}

function text(
  x: number,
  y: number,
  content: string,
  style: { size: number; weight?: 'bold'; anchor?: 'start' | 'middle' | 'end' },
): string {
  const escaped = content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${style.size}"${style.weight ? ` font-weight="${style.weight}"` : ''}${
    style.anchor && style.anchor !== 'start' ? ` text-anchor="${style.anchor}"` : ''
  }>${escaped}</text>`;
}
