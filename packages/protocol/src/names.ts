import { DEFAULT_NAMESPACE } from './limits';
import { type ValidationIssue } from './validation';

/** Worker type names: lower-case letters, digits, `_` and `-`, at most 128 characters. */
export const WORKER_TYPE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,127}$/;

/** Namespaces follow the worker type rule, so every derived name stays a valid queue name. */
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Business content types (`product/raw`): they are routing keys on topic exchanges, so the topic
 * wildcards `*` and `#` and white space are not allowed.
 */
export const CONTENT_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!$&^_.+\-/=;]{0,254}$/;

/** Ids of graph workflow steps (`move`, `describe`): like worker types, at most 64 characters. */
export const STEP_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function isWorkerType(value: string): boolean {
  return WORKER_TYPE_PATTERN.test(value);
}

export function isContentType(value: string): boolean {
  return CONTENT_TYPE_PATTERN.test(value);
}

export function workerTypeIssue(path: string, value: string): ValidationIssue | undefined {
  return isWorkerType(value)
    ? undefined
    : { path, message: `"${value}" is not a worker type name (${WORKER_TYPE_PATTERN.source})` };
}

/** Checks a namespace and returns it; throws with the rule when it cannot be used. */
export function assertNamespace(namespace: string): string {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(
      `namespace "${namespace}" is invalid: use lower-case letters, digits, "_" and "-" (${NAMESPACE_PATTERN.source})`,
    );
  }
  return namespace;
}

/** Every exchange name of one deployment. */
export interface ExchangeNames {
  /** topic; requesters publish requests with routing key = content type. */
  readonly requests: string;
  /** topic with an alternate exchange; the manager publishes jobs with routing key = worker type. */
  readonly jobs: string;
  /** fanout; receives jobs no worker queue was bound for. */
  readonly jobsUnrouted: string;
  /** topic; workers publish responses with key `<status>.<type>`. */
  readonly responses: string;
  /** topic; workers publish `register|heartbeat|unregister.<type>`. */
  readonly workers: string;
  /** topic; work queues dead-letter here. */
  readonly dead: string;
  /** topic; the manager publishes requester events with key `<state>.<content type>`. */
  readonly events: string;
  /** headers; the manager sends control orders (cancel, drain, resume) to worker instances. */
  readonly control: string;
}

/** Every fixed queue name of one deployment (worker, liveness and control queues are per type or instance). */
export interface QueueNames {
  readonly managerRequests: string;
  readonly managerResponses: string;
  readonly managerDead: string;
  readonly managerUnrouted: string;
  /** Where a message that even the manager's dead-letter consumer cannot handle is parked for a person. */
  readonly parked: string;
  /**
   * The one queue every manager replica consumes registrations, heartbeats and unregistrations
   * from (competing consumers): each worker message is delivered once per deployment.
   */
  readonly managerWorkers: string;
}

export interface Names {
  readonly namespace: string;
  readonly exchanges: ExchangeNames;
  readonly queues: QueueNames;
  /** The queue shared by all replicas of one worker type. */
  workerQueue(workerType: string): string;
  /** The auto-delete queue on which one worker instance receives control orders. */
  controlQueue(instanceId: string): string;
  /**
   * @deprecated Managers before the shared liveness queue heard worker messages on one exclusive
   * queue per replica; use `queues.managerWorkers`. Kept so tools can find (and delete) such queues.
   */
  livenessQueue(replicaId: string): string;
}

/**
 * All names of a deployment, derived from its namespace (`WM_NAMESPACE`, default `wm`). This is
 * the only place an exchange or queue name is spelled.
 */
export function namesFor(namespace: string = DEFAULT_NAMESPACE): Names {
  return makeNames(assertNamespace(namespace), true);
}

/** Names with `{ns}` and `{type}` placeholders, for documentation. */
export function templateNames(): Names {
  return makeNames('{ns}', false);
}

function makeNames(ns: string, validate: boolean): Names {
  return {
    namespace: ns,
    exchanges: {
      requests: `${ns}.requests`,
      jobs: `${ns}.jobs`,
      jobsUnrouted: `${ns}.jobs.unrouted`,
      responses: `${ns}.responses`,
      workers: `${ns}.workers`,
      dead: `${ns}.dead`,
      events: `${ns}.events`,
      control: `${ns}.control`,
    },
    queues: {
      managerRequests: `${ns}.manager.requests`,
      managerResponses: `${ns}.manager.responses`,
      managerDead: `${ns}.manager.dead`,
      managerUnrouted: `${ns}.manager.unrouted`,
      parked: `${ns}.parked`,
      managerWorkers: `${ns}.manager.workers`,
    },
    workerQueue(workerType: string): string {
      if (validate && !isWorkerType(workerType)) {
        throw new Error(
          `"${workerType}" is not a worker type name (${WORKER_TYPE_PATTERN.source})`,
        );
      }
      return `${ns}.worker.${workerType}`;
    },
    controlQueue(instanceId: string): string {
      return `${ns}.control.${instanceId}`;
    },
    livenessQueue(replicaId: string): string {
      return `${ns}.manager.liveness.${replicaId}`;
    },
  };
}
