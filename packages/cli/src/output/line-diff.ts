/** One line of a diff. */
export interface DiffLine {
  readonly kind: 'same' | 'added' | 'removed';
  readonly text: string;
}

/**
 * The shortest line diff of two texts (longest common subsequence). Configuration documents are
 * a few hundred lines, so the quadratic table is fine.
 */
export function lineDiff(before: readonly string[], after: readonly string[]): DiffLine[] {
  const rows = before.length + 1;
  const columns = after.length + 1;
  const lcs = new Uint32Array(rows * columns);
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      lcs[i * columns + j] =
        before[i] === after[j]
          ? lcs[(i + 1) * columns + j + 1]! + 1
          : Math.max(lcs[(i + 1) * columns + j]!, lcs[i * columns + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      lines.push({ kind: 'same', text: before[i++]! });
      j++;
    } else if (
      j < after.length &&
      (i >= before.length || lcs[i * columns + j + 1]! >= lcs[(i + 1) * columns + j]!)
    ) {
      lines.push({ kind: 'added', text: after[j++]! });
    } else {
      lines.push({ kind: 'removed', text: before[i++]! });
    }
  }
  return lines;
}
