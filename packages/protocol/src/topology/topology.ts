import { HEADERS } from '../headers';
import { WORK_QUEUE_DELIVERY_LIMIT } from '../limits';
import { type Names } from '../names';

export type ExchangeType = 'topic' | 'fanout' | 'headers' | 'direct';

export interface ExchangeSpec {
  readonly name: string;
  readonly type: ExchangeType;
  readonly options: {
    readonly durable: boolean;
    readonly arguments?: Readonly<Record<string, unknown>>;
  };
}

export interface QueueSpec {
  readonly name: string;
  readonly options: {
    readonly durable: boolean;
    readonly exclusive?: boolean;
    readonly autoDelete?: boolean;
    readonly arguments: Readonly<Record<string, unknown>>;
  };
}

export interface BindingSpec {
  readonly queue: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
}

/** A set of exchanges, queues and bindings to declare together. */
export interface Topology {
  readonly exchanges: readonly ExchangeSpec[];
  readonly queues: readonly QueueSpec[];
  readonly bindings: readonly BindingSpec[];
}

/**
 * Arguments of every work queue. They are fixed by the contract because RabbitMQ refuses a
 * declaration whose arguments differ from the existing queue's (PRECONDITION_FAILED), so the
 * manager and every worker must declare exactly these.
 *
 * - quorum: replicated, and counts deliveries so a poison message cannot loop forever;
 * - delivery limit: after that many deliveries the message is dead-lettered;
 * - at-least-once dead-lettering (needs `reject-publish` overflow): a dead-lettered message is
 *   not dropped if the dead-letter target is briefly unavailable.
 *
 * Deliberately absent: `x-quorum-initial-group-size`. RabbitMQ 3.10 through 4.x compares it like
 * every other quorum queue argument on redeclaration (a different value, or the argument on one
 * side only, is PRECONDITION_FAILED), so a process-level setting would break the first worker or
 * replica configured differently, and every v1 worker in another language. Without it the broker
 * places each new queue on `quorum_cluster_size` nodes (default 3, capped at the cluster's size:
 * all nodes up to 3), a cluster-wide setting every declarer agrees on by construction
 * (`quorum_queue.initial_cluster_size` from 4.2, `{rabbit, [{quorum_cluster_size, N}]}` in
 * advanced.config before). See docs/deploy.md.
 */
export function workQueueArguments(deadLetterExchange: string, deadLetterRoutingKey: string) {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': WORK_QUEUE_DELIVERY_LIMIT,
    'x-dead-letter-exchange': deadLetterExchange,
    'x-dead-letter-routing-key': deadLetterRoutingKey,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  } as const;
}

/** Routing key under which a manager queue dead-letters to `<ns>.dead` (never a valid worker type: it has a dot). */
export function managerDeadLetterKey(queue: 'requests' | 'responses' | 'unrouted'): string {
  return `manager.${queue}`;
}

export function exchangeSpecs(names: Names): ExchangeSpec[] {
  const ex = names.exchanges;
  return [
    { name: ex.requests, type: 'topic', options: { durable: true } },
    { name: ex.jobsUnrouted, type: 'fanout', options: { durable: true } },
    {
      name: ex.jobs,
      type: 'topic',
      options: { durable: true, arguments: { 'alternate-exchange': ex.jobsUnrouted } },
    },
    { name: ex.responses, type: 'topic', options: { durable: true } },
    { name: ex.workers, type: 'topic', options: { durable: true } },
    { name: ex.dead, type: 'topic', options: { durable: true } },
    { name: ex.events, type: 'topic', options: { durable: true } },
    { name: ex.control, type: 'headers', options: { durable: true } },
  ];
}

/** The queue shared by every replica of a worker type, and its binding. */
export function workerQueueTopology(names: Names, workerType: string): Topology {
  const queue = names.workerQueue(workerType);
  return {
    exchanges: [],
    queues: [
      {
        name: queue,
        options: { durable: true, arguments: workQueueArguments(names.exchanges.dead, workerType) },
      },
    ],
    bindings: [{ queue, exchange: names.exchanges.jobs, routingKey: workerType }],
  };
}

/** What a worker of one type declares: the exchanges it publishes to and its own queue. */
export function workerTopology(names: Names, workerType: string): Topology {
  return merge(
    { exchanges: exchangeSpecs(names), queues: [], bindings: [] },
    workerQueueTopology(names, workerType),
  );
}

/**
 * What the manager declares at start and whenever the configuration changes: every exchange, its
 * own queues, and the queue of every configured worker type, so a worker with least privilege
 * (or written in another language) only needs to check that its queue exists.
 */
export function managerTopology(names: Names, workerTypes: Iterable<string>): Topology {
  const ex = names.exchanges;
  const q = names.queues;
  const managerQueue = (name: string, key: 'requests' | 'responses' | 'unrouted'): QueueSpec => ({
    name,
    options: { durable: true, arguments: workQueueArguments(ex.dead, managerDeadLetterKey(key)) },
  });
  const base: Topology = {
    exchanges: exchangeSpecs(names),
    queues: [
      managerQueue(q.managerRequests, 'requests'),
      managerQueue(q.managerResponses, 'responses'),
      managerQueue(q.managerUnrouted, 'unrouted'),
      // The dead-letter consumer's own failures go to the parking queue through the default exchange.
      {
        name: q.managerDead,
        options: { durable: true, arguments: workQueueArguments('', q.parked) },
      },
      // The end of the line: no consumer, no limit; a person looks at what lands here.
      { name: q.parked, options: { durable: true, arguments: { 'x-queue-type': 'quorum' } } },
    ],
    bindings: [
      { queue: q.managerRequests, exchange: ex.requests, routingKey: '#' },
      { queue: q.managerResponses, exchange: ex.responses, routingKey: '#' },
      { queue: q.managerUnrouted, exchange: ex.jobsUnrouted, routingKey: '' },
      { queue: q.managerDead, exchange: ex.dead, routingKey: '#' },
    ],
  };
  return [...new Set(workerTypes)].reduce(
    (topology, type) => merge(topology, workerQueueTopology(names, type)),
    base,
  );
}

/**
 * Arguments of the shared liveness queue `<ns>.manager.workers` (see docs/decisions.md):
 *
 * - quorum: the one signal every dispatch depends on must survive the loss of a broker node (a
 *   classic queue would be unreachable until its node returns, and every type would expire);
 * - a length bound with drop-head: when no manager consumes for a long time, the oldest
 *   heartbeats (already stale) make room for new ones instead of filling the broker;
 * - a delivery limit: a message a manager cannot store after that many tries is dropped (the
 *   next heartbeat replaces it).
 */
export const LIVENESS_QUEUE_ARGUMENTS = {
  'x-queue-type': 'quorum',
  'x-max-length': 1_000_000,
  'x-overflow': 'drop-head',
  'x-delivery-limit': WORK_QUEUE_DELIVERY_LIMIT,
} as const;

/**
 * The liveness queue every manager replica consumes (competing consumers), bound `#` on
 * `<ns>.workers`: each registration, heartbeat and unregistration is delivered once per
 * deployment, whatever the replica count. Declared by the manager only.
 */
export function livenessTopology(names: Names): Topology {
  const queue = names.queues.managerWorkers;
  return {
    exchanges: [],
    queues: [{ name: queue, options: { durable: true, arguments: LIVENESS_QUEUE_ARGUMENTS } }],
    bindings: [{ queue, exchange: names.exchanges.workers, routingKey: '#' }],
  };
}

/** Control target header values: one instance, or every instance of a type. */
export const CONTROL_TARGETS = ['instance', 'type'] as const;
export type ControlTarget = (typeof CONTROL_TARGETS)[number];

/**
 * One worker instance's control queue, bound to orders addressed to the instance itself and to
 * orders broadcast to its whole type (a cancel for a job whose holder is not known yet).
 */
export function controlTopology(names: Names, workerType: string, instanceId: string): Topology {
  const queue = names.controlQueue(instanceId);
  return {
    exchanges: [],
    queues: [
      {
        name: queue,
        options: {
          durable: false,
          exclusive: true,
          autoDelete: true,
          arguments: { 'x-queue-type': 'classic' },
        },
      },
    ],
    bindings: [
      {
        queue,
        exchange: names.exchanges.control,
        routingKey: '',
        arguments: {
          'x-match': 'all',
          [HEADERS.controlTarget]: 'instance',
          [HEADERS.workerId]: instanceId,
        },
      },
      {
        queue,
        exchange: names.exchanges.control,
        routingKey: '',
        arguments: {
          'x-match': 'all',
          [HEADERS.controlTarget]: 'type',
          [HEADERS.workerType]: workerType,
        },
      },
    ],
  };
}

export function merge(a: Topology, b: Topology): Topology {
  return {
    exchanges: [...a.exchanges, ...b.exchanges],
    queues: [...a.queues, ...b.queues],
    bindings: [...a.bindings, ...b.bindings],
  };
}
