import { type RequestRow } from '../engine/request-row';

/** A request about to be recorded by intake: its first row image and what only intake knows. */
export interface NewRequest {
  readonly row: RequestRow;
  readonly input: Buffer;
  /** SHA-256 of content type and payload: tells a redelivery from another request with the same id. */
  readonly sha: Buffer;
}

/** What is known of an id that already exists, live, kept or recently finished. */
export interface KnownRequest {
  readonly state: string;
  readonly sha: Buffer;
  /** The request ended (its row may be gone; the id is remembered for `WM_DEDUP_RETENTION_MS`). */
  readonly finished: boolean;
}
