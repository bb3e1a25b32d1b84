/**
 * Exit codes of `wm`, stable for scripts (the README lists them). `--wait` maps the request's
 * terminal state to its own code, so `wm submit --wait … && next-step` runs on SUCCESS only.
 */
export const EXIT = {
  /** The command did what it was asked; with `--wait`, the request ended SUCCESS. */
  ok: 0,
  /** With `--wait`: the request ended ERROR. */
  requestError: 1,
  /** The command line is wrong (unknown option, missing argument, unreadable file, no `--yes`). */
  usage: 2,
  /** With `--wait`: the request ended INVALID_CONTENT. */
  invalidContent: 3,
  /** With `--wait`: the request ended CANCELLED. */
  cancelled: 4,
  /** The request was SKIPPED (no route, duplicate id, …); with `--batch`: some lines were. */
  skipped: 5,
  /** The manager refused the call (not found, not eligible, invalid input). */
  refused: 6,
  /** The API key is missing, unknown, or lacks the role the call needs (HTTP 401 / 403). */
  unauthorized: 7,
  /** The manager could not be reached, timed out, or failed (HTTP 5xx). */
  unreachable: 8,
  /** `wm config diff`: the file differs from the configuration in effect. */
  differs: 9,
  /** A bug in `wm` itself (the stack trace is printed): please report it. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure to report as one line on stderr, exiting with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode,
  ) {
    super(message);
  }
}

/** The exit code of a request that ended in `state` (for `--wait`). */
export function exitCodeOfState(state: string): ExitCode {
  switch (state) {
    case 'SUCCESS':
      return EXIT.ok;
    case 'ERROR':
      return EXIT.requestError;
    case 'INVALID_CONTENT':
      return EXIT.invalidContent;
    case 'CANCELLED':
      return EXIT.cancelled;
    default:
      return EXIT.skipped;
  }
}
