/**
 * The results model: every measured figure, the baseline it is compared with, the ratio and the
 * target it is judged against. Ratios are resolved after all scenarios ran, so a scenario only
 * names its baseline by id and `--only` can leave a baseline out (the ratio is then `n/a`).
 */

export type Unit = 'msg/s' | 'ms' | 'MB' | 's' | 'rows';

/** How a figure is judged: its ratio to the baseline, or its own value. */
export type Target =
  | { readonly kind: 'ratio-at-least'; readonly min: number }
  /** For costs (CPU, latency): the figure may be at most `max` times its baseline. */
  | { readonly kind: 'ratio-at-most'; readonly max: number }
  | { readonly kind: 'value-below'; readonly max: number };

export interface Figure {
  /** Stable id other figures name as their baseline, e.g. `raw.throughput`. */
  readonly id: string;
  readonly scenario: string;
  /** What a reader sees in the table. */
  readonly label: string;
  readonly value: number;
  readonly unit: Unit;
  /** Id of the figure this one is divided by. */
  readonly baselineId?: string;
  readonly target?: Target;
  /** A short qualifier (sample size, offered rate). */
  readonly note?: string;
  /** Which chart panel draws the figure: throughput ratios, or latency percentiles. */
  readonly chart?: 'throughput' | 'latency';
  /** Latency only: the bar group (e.g. `25% load · submit → SUCCESS`) and the series (`p50`). */
  readonly group?: string;
  readonly series?: string;
}

export interface ResolvedFigure extends Figure {
  readonly baseline?: {
    readonly id: string;
    readonly label: string;
    readonly value: number;
    readonly unit: Unit;
  };
  readonly ratio?: number;
  readonly targetText?: string;
  /** `undefined` when the figure has no target or its baseline was not measured. */
  readonly pass?: boolean;
}

export interface Skip {
  readonly scenario: string;
  readonly reason: string;
}

export class Results {
  private readonly figures: Figure[] = [];
  readonly skips: Skip[] = [];

  add(figure: Figure): void {
    this.figures.push(figure);
  }

  skip(scenario: string, reason: string): void {
    this.skips.push({ scenario, reason });
  }

  get(id: string): Figure | undefined {
    return this.figures.find((figure) => figure.id === id);
  }

  resolve(): ResolvedFigure[] {
    return this.figures.map((figure) =>
      resolveFigure(figure, figure.baselineId ? this.get(figure.baselineId) : undefined),
    );
  }
}

export function resolveFigure(figure: Figure, baseline: Figure | undefined): ResolvedFigure {
  const ratio = baseline && baseline.value > 0 ? figure.value / baseline.value : undefined;
  const target = figure.target;
  let targetText: string | undefined;
  let pass: boolean | undefined;
  if (target?.kind === 'ratio-at-least') {
    targetText = `≥ ${target.min.toFixed(2)}×`;
    pass = ratio === undefined ? undefined : ratio >= target.min;
  } else if (target?.kind === 'ratio-at-most') {
    targetText = `≤ ${target.max.toFixed(2)}×`;
    pass = ratio === undefined ? undefined : ratio <= target.max;
  } else if (target?.kind === 'value-below') {
    targetText = `< ${target.max} ${figure.unit}`;
    pass = figure.value < target.max;
  }
  return {
    ...figure,
    baseline: baseline && {
      id: baseline.id,
      label: baseline.label,
      value: baseline.value,
      unit: baseline.unit,
    },
    ratio,
    targetText,
    pass,
  };
}

/** Numbers as a reader wants them: no false precision, thousands separated. */
export function formatValue(value: number, unit: Unit): string {
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  if (unit === 's') return `${value.toFixed(1)} s`;
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}

export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`;
}

export function verdict(pass: boolean | undefined): string {
  if (pass === undefined) return '';
  return pass ? 'met' : 'MISSED';
}
