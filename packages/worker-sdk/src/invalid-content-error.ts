/**
 * Throw this from a handler when the job itself is wrong (not the worker): the request is answered
 * `INVALID_CONTENT` with these reasons, the job is acked, and nothing retries it. Same effect as
 * returning `ctx.invalid(reasons)`, handy deep inside helper code.
 */
export class InvalidContentError extends Error {
  override readonly name = 'InvalidContentError';
  /** Every reason, as sent in `wm-messages`. */
  readonly reasons: readonly string[];

  constructor(reasons: string | readonly string[]) {
    const list = typeof reasons === 'string' ? [reasons] : [...reasons];
    super(list.join('; ') || 'invalid content');
    this.reasons = list;
  }
}
