import { type RequestState } from '@org/protocol';

/** No request with this id (never recorded, or finished and deleted). */
export class RequestNotFoundError extends Error {
  override readonly name = 'RequestNotFoundError';
  constructor(readonly requestId: string) {
    super(`request "${requestId}" does not exist (it may have finished and been deleted)`);
  }
}

/** The request is in a state that does not allow the operation (e.g. retrying a running one). */
export class RequestStateError extends Error {
  override readonly name = 'RequestStateError';
  constructor(
    readonly requestId: string,
    readonly state: RequestState,
    readonly operation: string,
    readonly allowed: readonly RequestState[],
  ) {
    super(
      `cannot ${operation} request "${requestId}" in state ${state}: only ${allowed.join(', ')} allow it`,
    );
  }
}

/** The request exists but has no output to give (not a kept success, or kept without it). */
export class OutputUnavailableError extends Error {
  override readonly name = 'OutputUnavailableError';
  constructor(
    readonly requestId: string,
    readonly state: RequestState,
  ) {
    super(
      state === 'SUCCESS'
        ? `request "${requestId}" succeeded but its output was not kept`
        : `request "${requestId}" is ${state}: only a request that succeeded under keepSuccess: true has an output`,
    );
  }
}

/** A listing cursor this API did not make, or made for another sort. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/** A bulk operation asked for states it never applies to. */
export class IneligibleStatesError extends Error {
  override readonly name = 'IneligibleStatesError';
}

/** A bulk delete without any filter: every request would match. */
export class FilterRequiredError extends Error {
  override readonly name = 'FilterRequiredError';
  constructor() {
    super(
      'give at least one filter (for instance state=ERROR): deleting every request needs to be asked for explicitly',
    );
  }
}

/** No worker type of this name is configured. */
export class UnknownWorkerTypeError extends Error {
  override readonly name = 'UnknownWorkerTypeError';
  constructor(readonly workerType: string) {
    super(`worker type "${workerType}" is not configured`);
  }
}
