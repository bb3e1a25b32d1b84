import { assertTransition, type RequestState } from '@org/protocol';
import { type RequestRow } from './request-row';

/** The output a finished request keeps (`keepSuccess`), served by `GET /requests/{id}/output`. */
export interface KeptOutput {
  readonly body: Buffer;
  readonly contentType: string;
  readonly mimeType: string | null;
}

/**
 * The new image of one row being decided: the row (mutated in place by the engine) and how it
 * is to be written. Several decisions may apply to one row in a batch (RUNNING then SUCCESS);
 * they accumulate here.
 */
export class RowChange {
  /** The state the row had before any decision of this batch. */
  readonly before: RequestState;
  /** The worker type of its step then: a job of that type may have left the window. */
  readonly beforeWorkerType: string;
  /** `update`: write the image; `finish`: delete the row and remember its id (idempotency). */
  write: 'none' | 'update' | 'finish' = 'none';
  /** A new input for the current step (the previous step's output), or null to keep it. */
  input: Buffer | null = null;
  /** The final output, kept with the row (`keepSuccess`). */
  output: KeptOutput | null = null;
  /**
   * Dispatched by this change (a new attempt): the repository starts the dispatch lease, the
   * timeout clock and `dispatched_at` from the database's now.
   */
  claimed = false;

  constructor(readonly row: RequestRow) {
    this.before = row.state;
    this.beforeWorkerType = row.worker_type;
  }

  /**
   * Moves the row to `state`. Callers check the transition table first and refuse with a reason;
   * this assertion only catches a decision the table forbids (a bug).
   */
  move(state: RequestState): void {
    assertTransition(this.row.state, state);
    this.row.state = state;
    this.touch();
  }

  /** Marks the row to be written (a change that is not a state change: messages, progress…). */
  touch(): void {
    if (this.write === 'none') this.write = 'update';
  }

  /** The row leaves the table once the transaction commits; its id is remembered. */
  finish(): void {
    this.write = 'finish';
  }

  get finished(): boolean {
    return this.write === 'finish';
  }
}
