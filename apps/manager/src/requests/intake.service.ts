import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type RequestState } from '@org/protocol';
import { ConfigService } from '../config/config.service';
import { WorkflowsService } from '../workflows/workflows.service';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService } from '../database/database.service';
import { EventsService, type PendingEvent } from '../messaging/events.service';
import { WorkerCatalogue } from '../workers/worker-catalogue.service';
import { Dispatcher } from './dispatcher.service';
import { type IntakeItem } from './intake-item';
import { eventOf, type DispatchRow } from './request-row';
import { RequestCounters } from './request-counters';
import { RequestTimings } from './request-timings';

/** What intake did with one request. */
export interface IntakeOutcome {
  readonly requestId: string;
  /** `SKIPPED`, or the state the request is in after intake (DISPATCHED, NO_WORKER_AVAILABLE, …). */
  readonly state: RequestState | 'SKIPPED';
  /** True when this was a repetition of an already recorded request (absorbed, no new events). */
  readonly duplicate: boolean;
  /** Why it was skipped, when it was. */
  readonly messages: readonly string[];
}

interface Candidate {
  readonly index: number;
  readonly row: DispatchRow;
  readonly sha: Buffer;
}

/**
 * Records requests: validates them, resolves their route, inserts a batch in one statement
 * (`ON CONFLICT (id) DO NOTHING`: a redelivery with the same payload is absorbed, another payload
 * under a live id is SKIPPED), then dispatches what can be dispatched and tells requesters.
 * The AMQP consumer and the REST API both come through here.
 */
@Injectable()
export class IntakeService {
  private readonly insertStatement;
  private readonly conflictStatement;

  constructor(
    private readonly database: DatabaseService,
    private readonly config: ConfigService,
    private readonly workflows: WorkflowsService,
    private readonly catalogue: WorkerCatalogue,
    private readonly dispatcher: Dispatcher,
    private readonly events: EventsService,
    private readonly counters: RequestCounters,
    private readonly timings: RequestTimings,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    const requests = database.table('requests');
    this.insertStatement = database.statement(
      'intake-insert',
      `INSERT INTO ${requests} (id, state, content_type, workflow, steps, step, worker_type, attempt, cycle_attempts,
         input, input_content_type, input_mime, meta, payload_sha256, tenant, owner, session, correlation_id,
         reply_to, traceparent, tracestate, timeout_ms, lease_until)
       SELECT u.id, u.state, u.content_type, u.workflow, string_to_array(u.steps, ','), 0, u.worker_type, u.attempt,
         u.attempt, u.input, u.content_type, u.input_mime, '{}'::jsonb, u.sha, u.tenant, u.owner, u.session,
         u.correlation_id, u.reply_to, u.traceparent, u.tracestate, u.timeout_ms,
         CASE WHEN u.state = 'TO_DISPATCH' THEN now() + $18 * interval '1 millisecond' END
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bytea[],
                   $9::text[], $10::bytea[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                   $16::text[], $17::text[], $19::int[])
         AS u(id, state, content_type, workflow, steps, worker_type, attempt, input, input_mime, sha, tenant, owner,
              session, correlation_id, reply_to, traceparent, tracestate, timeout_ms)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, seq`,
    );
    this.conflictStatement = database.statement(
      'intake-conflicts',
      `SELECT id, state, payload_sha256 FROM ${requests} WHERE id = ANY($1::text[])`,
    );
  }

  /** Records a batch of requests; resolves once their effects are durable and their events sent. */
  async ingest(items: readonly IntakeItem[]): Promise<IntakeOutcome[]> {
    const acceptedAt = Date.now();
    const outcomes: IntakeOutcome[] = new Array<IntakeOutcome>(items.length);
    const skippedEvents: PendingEvent[] = [];
    const skip = (
      index: number,
      row: Pick<DispatchRow, 'id' | 'content_type' | 'correlation_id' | 'reply_to'>,
      reason: string,
      message: string,
    ) => {
      this.counters.skip(reason);
      outcomes[index] = {
        requestId: row.id,
        state: 'SKIPPED',
        duplicate: false,
        messages: [message],
      };
      skippedEvents.push(skippedEvent(row, message));
    };
    const candidates: Candidate[] = [];
    items.forEach((item, index) => {
      if (item.kind === 'invalid') {
        const row = {
          id: item.requestId,
          content_type: item.contentType,
          correlation_id: item.correlationId ?? null,
          reply_to: item.replyTo ?? null,
        };
        this.counters.skip('invalid');
        outcomes[index] = {
          requestId: item.requestId,
          state: 'SKIPPED',
          duplicate: false,
          messages: item.messages,
        };
        skippedEvents.push(skippedEvent(row, ...item.messages));
        return;
      }
      const candidate = this.candidateOf(item, index, skip);
      if (candidate) candidates.push(candidate);
    });

    const { inserted, absorbed } = await this.insert(candidates, skip);
    for (const { index, row } of absorbed) {
      outcomes[index] = { requestId: row.id, state: row.state, duplicate: true, messages: [] };
    }
    const toDispatch = inserted.filter((candidate) => candidate.row.state === 'TO_DISPATCH');
    const waiting = inserted.filter((candidate) => candidate.row.state === 'NO_WORKER_AVAILABLE');
    this.counters.accepted += inserted.length;
    this.timings.accepted(
      inserted.map((candidate) => candidate.row.id),
      acceptedAt,
    );

    const waitingEvents = waiting.map(({ row }) =>
      eventOf(row, 'DELAYED', {
        messages: [`no ${row.worker_type} worker is available; the request waits for one`],
      }),
    );
    await Promise.all([
      this.events.publish([...skippedEvents, ...waitingEvents]),
      this.dispatcher.publish(toDispatch.map((candidate) => candidate.row)),
    ]);
    for (const { index, row } of inserted) {
      outcomes[index] = {
        requestId: row.id,
        state: row.state === 'TO_DISPATCH' ? 'DISPATCHED' : row.state,
        duplicate: false,
        messages: [],
      };
    }
    return outcomes;
  }

  private candidateOf(
    item: Extract<IntakeItem, { kind: 'request' }>,
    index: number,
    skip: (
      index: number,
      row: Pick<DispatchRow, 'id' | 'content_type' | 'correlation_id' | 'reply_to'>,
      reason: string,
      message: string,
    ) => void,
  ): Candidate | undefined {
    const { request } = item;
    const identity = {
      id: item.requestId,
      content_type: request.contentType,
      correlation_id: request.correlationId ?? null,
      reply_to: request.replyTo ?? null,
    };
    if (request.body.length > this.environment.maxPayloadBytes) {
      skip(
        index,
        identity,
        'too-large',
        `the payload is ${request.body.length} bytes, over the limit of ${this.environment.maxPayloadBytes} bytes (WM_MAX_PAYLOAD_BYTES)`,
      );
      return undefined;
    }
    if (this.config.isSkipped(request.contentType)) {
      skip(
        index,
        identity,
        'skip-list',
        `content type "${request.contentType}" is in the skip list (skipContentTypes)`,
      );
      return undefined;
    }
    const plan = this.workflows.plan(request.contentType);
    if (!plan) {
      skip(
        index,
        identity,
        'no-route',
        `no worker type or workflow handles content type "${request.contentType}"`,
      );
      return undefined;
    }
    const { route, workflow } = plan;
    const steps = [...plan.steps];
    const workerType = steps[0]!;
    const available = this.catalogue.isAvailable(workerType);
    // Spelled out rather than spread from `identity`: a spread followed by twenty properties
    // builds a slow object, and this runs once per request (it showed in the profile).
    const row: DispatchRow = {
      id: identity.id,
      content_type: identity.content_type,
      correlation_id: identity.correlation_id,
      reply_to: identity.reply_to,
      state: available ? 'TO_DISPATCH' : 'NO_WORKER_AVAILABLE',
      workflow,
      steps,
      step: 0,
      worker_type: workerType,
      attempt: available ? 1 : 0,
      cycle_attempts: available ? 1 : 0,
      input_content_type: request.contentType,
      input_mime: request.mimeType ?? null,
      meta: {},
      tenant: request.tenant ?? null,
      owner: request.owner ?? null,
      session: request.session ?? null,
      traceparent: request.traceparent ?? null,
      tracestate: request.tracestate ?? null,
      messages: [],
      worker_id: null,
      timeout_ms: route.policy.timeoutMs ?? null,
      seq: '0',
      input: request.body,
    };
    const sha = createHash('sha256')
      .update(request.contentType)
      .update('\0')
      .update(request.body)
      .digest();
    return { index, row, sha };
  }

  private async insert(
    candidates: readonly Candidate[],
    skip: (
      index: number,
      row: Pick<DispatchRow, 'id' | 'content_type' | 'correlation_id' | 'reply_to'>,
      reason: string,
      message: string,
    ) => void,
  ): Promise<{
    inserted: Candidate[];
    absorbed: Array<{ index: number; row: { id: string; state: RequestState } }>;
  }> {
    const absorbed: Array<{ index: number; row: { id: string; state: RequestState } }> = [];
    // The same id twice in one batch: the first is the request, the others are compared with it.
    const first = new Map<string, Candidate>();
    const repeats: Candidate[] = [];
    for (const candidate of candidates) {
      if (first.has(candidate.row.id)) repeats.push(candidate);
      else first.set(candidate.row.id, candidate);
    }
    const unique = [...first.values()];
    if (unique.length === 0) return { inserted: [], absorbed };
    const column = <T>(pick: (row: DispatchRow) => T): T[] =>
      unique.map((candidate) => pick(candidate.row));
    const rows = await this.database.query<{ id: string; seq: string }>(this.insertStatement, [
      column((row) => row.id),
      column((row) => row.state),
      column((row) => row.content_type),
      column((row) => row.workflow),
      column((row) => row.steps.join(',')),
      column((row) => row.worker_type),
      column((row) => row.attempt),
      column((row) => row.input),
      column((row) => row.input_mime),
      unique.map((candidate) => candidate.sha),
      column((row) => row.tenant),
      column((row) => row.owner),
      column((row) => row.session),
      column((row) => row.correlation_id),
      column((row) => row.reply_to),
      column((row) => row.traceparent),
      column((row) => row.tracestate),
      this.environment.dispatchLeaseMs,
      column((row) => row.timeout_ms),
    ]);
    const seqs = new Map(rows.map((row) => [row.id, row.seq]));
    const inserted = unique.filter((candidate) => seqs.has(candidate.row.id));
    for (const candidate of inserted) candidate.row.seq = seqs.get(candidate.row.id)!;
    const conflicts = unique.filter((candidate) => !seqs.has(candidate.row.id));
    const existing = new Map<string, { state: RequestState; sha: Buffer }>();
    if (conflicts.length > 0) {
      const found = await this.database.query<{
        id: string;
        state: RequestState;
        payload_sha256: Buffer;
      }>(this.conflictStatement, [conflicts.map((candidate) => candidate.row.id)]);
      for (const row of found) existing.set(row.id, { state: row.state, sha: row.payload_sha256 });
    }
    for (const candidate of inserted)
      existing.set(candidate.row.id, { state: candidate.row.state, sha: candidate.sha });
    for (const candidate of [...conflicts, ...repeats]) {
      const known = existing.get(candidate.row.id);
      if (known && known.sha.equals(candidate.sha)) {
        this.counters.redeliveries += 1;
        absorbed.push({
          index: candidate.index,
          row: { id: candidate.row.id, state: known.state },
        });
      } else {
        skip(
          candidate.index,
          candidate.row,
          'duplicate',
          `duplicate request id "${candidate.row.id}": a request with this id and another payload is already recorded`,
        );
      }
    }
    return { inserted, absorbed };
  }
}

function skippedEvent(
  row: Pick<DispatchRow, 'id' | 'content_type' | 'correlation_id' | 'reply_to'>,
  ...messages: string[]
): PendingEvent {
  return {
    replyTo: row.reply_to,
    event: {
      requestId: row.id,
      state: 'SKIPPED',
      requestContentType: row.content_type,
      correlationId: row.correlation_id ?? undefined,
      messages: messages.slice(0, 32).map((message) => message.slice(0, 4096)),
    },
  };
}
