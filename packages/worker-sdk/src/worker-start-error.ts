import { brokerRefusal, ConnectionFailedError, type RefusalKind } from '@org/amqp-kit';

/**
 * Why `worker.start()` failed. Refusals (the broker answered, and said no: retrying the same
 * configuration cannot help): `auth` (user or password), `permission` (virtual host, exchange or
 * queue permissions), `not-found` (`declareQueue: 'check'` and the queue or an exchange does not
 * exist), `precondition` (a queue or exchange exists with other arguments than the contract's),
 * `refused` (another reply code). Otherwise: `unreachable` (no broker answered within
 * `startTimeoutMs`), `stopped` (`stop()` was called first).
 */
export type WorkerStartFailure = RefusalKind | 'unreachable' | 'stopped';

const EXPLANATIONS: Readonly<Record<WorkerStartFailure, string>> = {
  auth: 'the broker refused the credentials (check the user and password in AMQP_URL)',
  permission:
    'the broker refused access (the user needs the virtual host and the permissions listed in the SDK README)',
  'not-found':
    "a queue or exchange it checks does not exist (with declareQueue 'check', start the manager first: it declares the queues of configured types)",
  precondition:
    "a queue or exchange exists with other arguments than the contract's (it was declared by hand or by another version)",
  refused: 'the broker refused',
  unreachable: 'no broker answered',
  stopped: 'stop() was called before the worker finished starting',
};

/** The typed error `worker.start()` rejects with. */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';

  constructor(
    readonly reason: WorkerStartFailure,
    /** Who failed to start where: `worker "x" could not start on amqp://u:***@host (namespace "ns")`. */
    context: string,
    options: {
      readonly cause?: unknown;
      readonly replyCode?: number;
      readonly detail?: string;
    } = {},
  ) {
    super(
      `${context}: ${EXPLANATIONS[reason]}${options.detail ? ` (${options.detail})` : ''}${causeText(options.cause)}`,
      { cause: options.cause },
    );
    this.replyCode = options.replyCode;
  }

  /** The AMQP reply code of a refusal (403, 404, 406, 530…). */
  readonly replyCode: number | undefined;

  /** True when the broker answered and refused: fix the configuration; restarting as is cannot help. */
  get refused(): boolean {
    return this.reason !== 'unreachable' && this.reason !== 'stopped';
  }
}

function causeText(cause: unknown): string {
  return cause instanceof Error && cause.message ? `: ${cause.message}` : '';
}

/** The start error for what made `start()` fail: a refusal by kind, else unreachable. */
export function startErrorOf(cause: unknown, context: string): WorkerStartError {
  if (cause instanceof WorkerStartError) return cause;
  const refusal = brokerRefusal(cause instanceof ConnectionFailedError ? cause.cause : cause);
  if (refusal) {
    return new WorkerStartError(refusal.kind, context, { cause, replyCode: refusal.code });
  }
  const detail =
    cause instanceof ConnectionFailedError && cause.kind === 'timeout'
      ? undefined
      : 'connection lost while starting';
  return new WorkerStartError('unreachable', context, { cause, detail });
}
