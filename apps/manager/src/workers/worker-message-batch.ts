import { type WorkerMessage, type WorkerStatusBody } from '@org/protocol';

/** The live figures of an instance kept as JSON: what changes from one heartbeat to the next. */
export type InstanceStats = Omit<
  WorkerStatusBody,
  'id' | 'type' | 'status' | 'description' | 'schema' | 'contentTypes'
>;

/** One instance row to write: what the batch's messages say about it, in arrival order. */
export interface InstanceWrite {
  readonly id: string;
  readonly type: string;
  readonly status: WorkerStatusBody['status'];
  /**
   * A registration is in the batch: the row starts afresh (registered now, stats replaced) and
   * revives an instance unregistered earlier. Otherwise (heartbeats only) the stats are merged
   * into the stored ones, and an unregistered instance stays unregistered.
   */
  readonly registering: boolean;
  readonly concurrency: number | undefined;
  readonly batch: number | undefined;
  readonly version: string | undefined;
  readonly host: string | undefined;
  readonly pid: number | undefined;
  readonly startedAt: string | undefined;
  readonly contract: string | undefined;
  readonly stats: InstanceStats;
}

/** The latest registration of a worker type in a batch. */
export interface RegistrationWrite {
  readonly type: string;
  readonly instanceId: string;
  readonly description: string | undefined;
  readonly version: string | undefined;
  readonly contract: string | undefined;
  readonly contentTypes: readonly string[];
  readonly schema: Record<string, unknown> | undefined;
}

/** A batch of worker messages reduced to one statement's worth of rows per table. */
export interface WorkerWrites {
  /** Instances to insert or update, sorted by id (a fixed lock order: no deadlock between replicas). */
  readonly instances: readonly InstanceWrite[];
  /** Instances whose last message in the batch was `unregister`, sorted by id. */
  readonly unregistered: readonly string[];
  readonly registrations: readonly RegistrationWrite[];
}

/**
 * Folds a batch of worker messages, in the order the queue delivered them, into the rows to
 * write: per instance its last word (a heartbeat after a registration merges into it, an
 * unregistration wins over what came before it), per type its latest registration.
 */
export function foldWorkerMessages(messages: readonly WorkerMessage[]): WorkerWrites {
  const instances = new Map<string, InstanceWrite | 'unregistered'>();
  const registrations = new Map<string, RegistrationWrite>();
  for (const { kind, body } of messages) {
    if (kind === 'unregister') {
      instances.set(body.id, 'unregistered');
      continue;
    }
    const earlier = instances.get(body.id);
    const write = instanceWrite(body, kind === 'register');
    instances.set(
      body.id,
      earlier === undefined || earlier === 'unregistered' || kind === 'register'
        ? write
        : merged(earlier, write),
    );
    if (kind === 'register') registrations.set(body.type, registrationWrite(body));
  }
  const writes: InstanceWrite[] = [];
  const unregistered: string[] = [];
  for (const [id, value] of instances) {
    if (value === 'unregistered') unregistered.push(id);
    else writes.push(value);
  }
  return {
    instances: writes.sort((a, b) => compare(a.id, b.id)),
    unregistered: unregistered.sort(compare),
    registrations: [...registrations.values()].sort((a, b) => compare(a.type, b.type)),
  };
}

function instanceWrite(body: WorkerStatusBody, registering: boolean): InstanceWrite {
  const {
    id,
    type,
    status,
    description: _description,
    schema: _schema,
    contentTypes: _contentTypes,
    ...stats
  } = body;
  return {
    id,
    type,
    status,
    registering,
    concurrency: body.concurrency,
    batch: body.batch,
    version: body.version,
    host: body.host,
    pid: body.pid,
    startedAt: body.startedAt,
    contract: body.contract,
    stats: { ...stats },
  };
}

/** A heartbeat that follows a registration (or another heartbeat) in the same batch. */
function merged(earlier: InstanceWrite, later: InstanceWrite): InstanceWrite {
  return {
    ...later,
    registering: earlier.registering,
    concurrency: later.concurrency ?? earlier.concurrency,
    batch: later.batch ?? earlier.batch,
    version: later.version ?? earlier.version,
    host: later.host ?? earlier.host,
    pid: later.pid ?? earlier.pid,
    startedAt: later.startedAt ?? earlier.startedAt,
    contract: later.contract ?? earlier.contract,
    stats: { ...earlier.stats, ...later.stats },
  };
}

function registrationWrite(body: WorkerStatusBody): RegistrationWrite {
  return {
    type: body.type,
    instanceId: body.id,
    description: body.description,
    version: body.version,
    contract: body.contract,
    contentTypes: body.contentTypes ?? [],
    schema: body.schema,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
