import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past the heap that survived the last full GC, in
 * percent. V8's own factor is dynamic, up to 4× on a machine with a large heap limit; the manager
 * keeps a small live heap (about 50 MB) but promotes a lot of short-lived batch garbage (rows and
 * messages held across a database or broker round trip), so with 4× the old generation filled to
 * about 200 MB of mostly garbage before each full GC. With 100 (2×), the 200,000-request backlog
 * bench peaked at 212–218 MB RSS instead of 317 MB (361–378 MB without the smaller timing maps
 * either), at the same drain rate (2,017–2,122 against 1,986–2,181 msg/s). It is a growth factor,
 * not a limit: the heap still grows as far as the live data needs.
 */
export const HEAP_GROWING_PERCENT = 100;

/**
 * Applies {@link HEAP_GROWING_PERCENT} unless the operator chose a value (`node
 * --heap-growing-percent=…`). Called first thing by the process entry point only, not by
 * embedders of `startManager`. V8 reads this flag at each full GC, so setting it at run time takes
 * effect from the next one.
 */
export function applyHeapDefaults(): void {
  const chosen = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some((arg) =>
    /heap[-_]growing[-_]percent/.test(arg),
  );
  if (!chosen) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
