/** One line of a diff: kept, removed (`-`) or added (`+`). */
export interface DiffLine {
  readonly kind: ' ' | '-' | '+';
  readonly text: string;
}

/** Lines compared at most; a configuration is far smaller, this only bounds the work. */
const MAX_LINES = 5_000;

/**
 * A line diff (longest common subsequence) of two texts: what an import would change, shown
 * before it is applied. Quadratic, which is fine for configuration documents.
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n').slice(0, MAX_LINES);
  const b = after.split('\n').slice(0, MAX_LINES);
  const lengths: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lengths[i]![j] =
        a[i] === b[j]
          ? lengths[i + 1]![j + 1]! + 1
          : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lengths[i + 1]![j]! >= lengths[i]![j + 1]!) lines.push({ kind: '-', text: a[i++]! });
    else lines.push({ kind: '+', text: b[j++]! });
  }
  while (i < a.length) lines.push({ kind: '-', text: a[i++]! });
  while (j < b.length) lines.push({ kind: '+', text: b[j++]! });
  return lines;
}
