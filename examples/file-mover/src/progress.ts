/**
 * Turns byte counts into whole-percent progress reports, at most one per `step` percent, so a
 * multi-gigabyte copy sends a dozen PROGRESS messages rather than one per chunk. Reports go out
 * without blocking the copy; a failed report is logged by the SDK, not fatal to the move.
 */
export function progressReporter(
  totalBytes: number,
  report: ((percent: number) => unknown) | undefined,
  range: { from: number; to: number } = { from: 0, to: 90 },
  step = 10,
): ((bytes: number) => void) | undefined {
  if (!report || totalBytes <= 0) return undefined;
  let last = range.from;
  return (bytes) => {
    const percent = Math.floor(
      range.from + ((range.to - range.from) * Math.min(bytes, totalBytes)) / totalBytes,
    );
    if (percent - last < step && percent < range.to) return;
    if (percent === last) return;
    last = percent;
    void Promise.resolve(report(percent)).catch(() => undefined);
  };
}
