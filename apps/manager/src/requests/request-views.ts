import { type RequestState } from '@org/protocol';

/** A request as listed. */
export interface RequestSummary {
  readonly id: string;
  readonly state: RequestState;
  readonly contentType: string;
  readonly workflow: string | null;
  readonly steps: string[];
  readonly step: number;
  readonly workerType: string;
  readonly attempt: number;
  readonly priority: number;
  readonly tenant: string | null;
  readonly owner: string | null;
  readonly session: string | null;
  readonly parentId: string | null;
  readonly messages: string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One state change of a request. */
export interface RequestHistoryEntry {
  readonly state: RequestState;
  readonly step: number;
  readonly attempt: number;
  readonly workerType: string;
  readonly workerId: string | null;
  readonly messages: string[];
  readonly at: string;
}

/** One request with everything the manager knows about it but its payloads. */
export interface RequestDetail extends RequestSummary {
  readonly inputContentType: string;
  readonly inputMime: string | null;
  readonly inputBytes: number;
  readonly meta: Record<string, string>;
  readonly workerId: string | null;
  readonly correlationId: string | null;
  readonly replyTo: string | null;
  readonly traceparent: string | null;
  readonly notify: string;
  /** When the current job times out. */
  readonly deadline: string | null;
  /** Not dispatched before (SCHEDULED: `wm-not-before` or a retry backoff). */
  readonly notBefore: string | null;
  /** `wm-deadline`: ERROR if no worker started it by then. */
  readonly startBy: string | null;
  readonly dispatchedAt: string | null;
  readonly finishedAt: string | null;
  /** Size of the kept output (keepSuccess), or null. */
  readonly outputBytes: number | null;
  readonly outputContentType: string | null;
  /** Why it waits, for a waiting request (no live worker, a full window, paused, scheduled). */
  readonly waitingReason: string | null;
  readonly history: RequestHistoryEntry[];
}

export interface RequestCounts {
  readonly byState: Record<string, number>;
  readonly total: number;
}

export interface RequestPage {
  readonly items: RequestSummary[];
  readonly nextCursor: string | null;
  readonly counts?: RequestCounts;
}

/** Requests of one worker type (current step) and workflow in one state. */
export interface RequestGroupCount {
  readonly workerType: string;
  readonly workflow: string | null;
  readonly state: string;
  readonly count: number;
  /** When the oldest of them last changed state (its wait or its failure began). */
  readonly oldestSince: string;
}

/** A request's stored input (the current step's), as the operator downloads it. */
export interface StoredInput {
  readonly body: Buffer;
  readonly mime: string | null;
  readonly contentType: string;
}
