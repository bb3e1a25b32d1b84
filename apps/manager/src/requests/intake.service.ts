import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MAX_MESSAGES, type RequestState } from '@org/protocol';
import { ConfigService } from '../config/config.service';
import { MANAGER_ENVIRONMENT } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService, type Tx } from '../database/database.service';
import { RequestTraces } from '../tracing/request-traces';
import { PayloadSchemas } from '../workers/payload-schemas.service';
import { type RoutePlan, WorkflowsService } from '../workflows/workflows.service';
import { type AfterCommit, ChangeCommitter } from './change-committer.service';
import { mergeClaims } from './dispatch/claimed-jobs';
import { Dispatcher } from './dispatch/dispatcher.service';
import { type ArrivalClaim, type ArrivingRequest } from './dispatch/window-claims';
import { EngineContextFactory } from './engine-context.factory';
import { admissionRefusal, admit } from './engine/admit';
import { type EngineContext } from './engine/engine-context';
import { Effects, type PendingEvent } from './engine/effects';
import { admitGraph } from './engine/graph-rows';
import { type RequestRow } from './engine/request-row';
import { RequesterEvents } from './events/requester-events.service';
import { type IntakeItem } from './intake-item';
import { RequestCounters } from './request-counters';
import { RequestTimings } from './request-timings';
import {
  type WebhookSubscription,
  WebhookSubscriptions,
} from '../webhooks/webhook-subscriptions.repository';
import { type NewRequest } from './store/new-request';
import { RequestsRepository } from './store/requests.repository';
import { skippedEvent } from './skipped-event';

/**
 * A new request's first state: a graph request runs at once (its root steps are created when
 * the batch commits, engine/graph); any other waits for its first worker type.
 */
function admitRequest(
  row: RequestRow,
  plan: RoutePlan,
  context: EngineContext,
  effects: Effects,
): void {
  if (!plan.graph) return admit(row, context, effects);
  admitGraph(row);
  effects.graphs.add(row.id);
}

/** What intake did with one request. */
export interface IntakeOutcome {
  readonly requestId: string;
  /**
   * `SKIPPED`, `INVALID_CONTENT` (its payload breaks the schema of a `validatePayload` type; not
   * stored), or the state the request is in after intake (DISPATCHED, QUEUED, …).
   */
  readonly state: RequestState | 'SKIPPED';
  /** True when this was a repetition of an already recorded request (absorbed, no new events). */
  readonly duplicate: boolean;
  /** Why it was skipped or refused, when it was. */
  readonly messages: readonly string[];
}

interface Candidate {
  readonly index: number;
  readonly request: NewRequest;
  readonly effects: Effects;
  /** Delivered again by the broker: a repetition, never a new submission. */
  readonly redelivered: boolean;
}

/**
 * Records requests: validates them (and, for a type configured `validatePayload: true`, their JSON
 * payload against the schema its workers registered: a violation ends it `INVALID_CONTENT`
 * unstored, like SKIPPED), resolves their route, decides their first state (engine
 * `admit`), inserts a batch in one statement and claims what the windows have room for, in one
 * transaction. An id already known is absorbed (the same payload, delivered again), answered
 * "already finished" (it ended, and is remembered for `WM_DEDUP_RETENTION_MS`) or "duplicate
 * request id" (another payload). The AMQP consumer and the REST API both come through here.
 */
@Injectable()
export class IntakeService {
  constructor(
    private readonly database: DatabaseService,
    private readonly requests: RequestsRepository,
    private readonly committer: ChangeCommitter,
    private readonly contexts: EngineContextFactory,
    private readonly events: RequesterEvents,
    private readonly config: ConfigService,
    private readonly workflows: WorkflowsService,
    private readonly counters: RequestCounters,
    private readonly timings: RequestTimings,
    private readonly schemas: PayloadSchemas,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
    private readonly webhooks: WebhookSubscriptions,
    private readonly traces: RequestTraces,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** Records a batch of requests; resolves once their effects are durable and their events sent. */
  async ingest(items: readonly IntakeItem[]): Promise<IntakeOutcome[]> {
    const context = this.contexts.context();
    const outcomes = new Array<IntakeOutcome>(items.length);
    const refused: PendingEvent[] = [];
    const skip = (index: number, item: IntakeItem, reason: string, messages: readonly string[]) => {
      this.counters.skip(reason);
      outcomes[index] = { requestId: item.requestId, state: 'SKIPPED', duplicate: false, messages };
      refused.push(skippedEvent(item, messages));
    };
    const candidates: Candidate[] = [];
    items.forEach((item, index) => {
      if (item.kind === 'invalid') return skip(index, item, 'invalid', item.messages);
      const refusal = this.refusal(item, context);
      if (refusal) return skip(index, item, refusal.reason, [refusal.message]);
      const invalid = this.payloadViolations(item);
      if (invalid) {
        this.counters.invalidPayloads += 1;
        outcomes[index] = {
          requestId: item.requestId,
          state: 'INVALID_CONTENT',
          duplicate: false,
          messages: invalid.messages,
        };
        const event = skippedEvent(item, invalid.messages);
        refused.push({
          ...event,
          event: { ...event.event, state: 'INVALID_CONTENT', workerType: invalid.workerType },
        });
        return;
      }
      candidates.push(this.candidateOf(item, index, context));
    });
    const { after, inserted } = await this.database.transaction((tx) =>
      this.record(tx, items, candidates, outcomes, skip),
    );
    this.counters.accepted += inserted.length;
    this.timings.accepted(
      inserted.map((candidate) => candidate.request.row.id),
      context.now,
    );
    const claimed = new Set(after.jobs.rows.map((row) => row.id));
    for (const { index, request } of inserted) {
      outcomes[index] = {
        requestId: request.row.id,
        state: claimed.has(request.row.id) ? 'DISPATCHED' : request.row.state,
        duplicate: false,
        messages: [],
      };
    }
    // SKIPPED and a refused INVALID_CONTENT are terminal and never stored: they are confirmed
    // before the request is acknowledged.
    await Promise.all([this.events.publish(refused), this.committer.carryOut(after)]);
    return outcomes;
  }

  private async record(
    tx: Tx,
    items: readonly IntakeItem[],
    candidates: readonly Candidate[],
    outcomes: IntakeOutcome[],
    skip: (index: number, item: IntakeItem, reason: string, messages: readonly string[]) => void,
  ): Promise<{ after: AfterCommit; inserted: Candidate[] }> {
    // The same id twice in one batch: the first is the request, the others are compared with it.
    const first = new Map<string, Candidate>();
    const repeats: Candidate[] = [];
    for (const candidate of candidates) {
      if (first.has(candidate.request.row.id)) repeats.push(candidate);
      else first.set(candidate.request.row.id, candidate);
    }
    const unique = [...first.values()];
    const arrivals = await this.claimArrivals(tx, unique);
    const seqs = await this.requests.insert(
      tx,
      unique.map((candidate) => candidate.request),
      this.environment.dispatchLeaseMs,
    );
    const arrived = this.dispatcher.arrived(tx, arrivals.claims, seqs);
    const inserted = unique.filter((candidate) => seqs.has(candidate.request.row.id));
    // Webhooks (issue 17): a callback URL is recorded with its request, in this transaction.
    await this.webhooks.subscribe(
      tx,
      inserted.flatMap((c) => webhookOf(items[c.index]!)),
    );
    this.traces.intake(inserted, (candidate) => candidate.request.row);
    const conflicts = unique.filter((candidate) => !seqs.has(candidate.request.row.id));
    const known = await this.requests.known(
      tx,
      conflicts.map((candidate) => candidate.request.row.id),
    );
    for (const candidate of inserted) {
      known.set(candidate.request.row.id, {
        state: candidate.request.row.state,
        sha: candidate.request.sha,
        finished: false,
      });
    }
    for (const candidate of [...conflicts, ...repeats]) {
      const { id } = candidate.request.row;
      const existing = known.get(id);
      const same = existing !== undefined && existing.sha.equals(candidate.request.sha);
      if (same && (!existing.finished || candidate.redelivered)) {
        this.counters.redeliveries += 1;
        outcomes[candidate.index] = {
          requestId: id,
          state: existing.state as RequestState,
          duplicate: true,
          messages: [],
        };
      } else if (existing?.finished) {
        skip(candidate.index, items[candidate.index]!, 'finished', [
          `request id "${id}" already finished (${existing.state}); a request id runs once`,
        ]);
      } else {
        skip(candidate.index, items[candidate.index]!, 'duplicate', [
          `duplicate request id "${id}": a request with this id and another payload is already recorded`,
        ]);
      }
    }
    const effects = new Effects();
    for (const candidate of inserted) {
      effects.events.push(...candidate.effects.events);
      for (const type of candidate.effects.wake) {
        if (!arrivals.types.has(type)) effects.wake.add(type);
      }
      for (const id of candidate.effects.graphs) effects.graphs.add(id);
    }
    const after = await this.committer.commit(tx, [], effects);
    return { after: { ...after, jobs: mergeClaims([arrived, after.jobs]) }, inserted };
  }

  /**
   * Claims the new requests of each type with no backlog before they are inserted, so that they
   * go in as TO_DISPATCH (Dispatcher.claimArrivals), types in name order like every claim. The
   * types it decided need no claim after the insert. A batch with a graph request is claimed the
   * usual way: its steps, created at commit, may lock types out of that order.
   */
  private async claimArrivals(
    tx: Tx,
    unique: readonly Candidate[],
  ): Promise<{ claims: ArrivalClaim[]; types: Set<string> }> {
    const claims: ArrivalClaim[] = [];
    const types = new Set<string>();
    const byType = new Map<string, ArrivingRequest[]>();
    for (const { request, effects } of unique) {
      if (effects.graphs.size > 0) return { claims, types };
      if (request.row.state !== 'QUEUED') continue;
      const arrival = { row: request.row, input: request.input };
      const group = byType.get(request.row.worker_type);
      if (group) group.push(arrival);
      else byType.set(request.row.worker_type, [arrival]);
    }
    for (const type of [...byType.keys()].sort()) {
      const claim = await this.dispatcher.claimArrivals(tx, type, byType.get(type)!);
      if (!claim) continue;
      claims.push(claim);
      types.add(type);
    }
    return { claims, types };
  }

  /** Why a well-formed request is answered SKIPPED, if it is. */
  private refusal(
    item: Extract<IntakeItem, { kind: 'request' }>,
    context: EngineContext,
  ): { reason: string; message: string } | undefined {
    const { request } = item;
    if (request.body.length > this.environment.maxPayloadBytes) {
      return {
        reason: 'too-large',
        message: `the payload is ${request.body.length} bytes, over the limit of ${this.environment.maxPayloadBytes} bytes (WM_MAX_PAYLOAD_BYTES)`,
      };
    }
    if (this.config.isSkipped(request.contentType)) {
      return {
        reason: 'skip-list',
        message: `content type "${request.contentType}" is in the skip list (skipContentTypes)`,
      };
    }
    if (!this.workflows.plan(request.contentType)) {
      return {
        reason: 'no-route',
        message: `no worker type or workflow handles content type "${request.contentType}"`,
      };
    }
    const deadline = request.deadline === undefined ? null : new Date(request.deadline);
    const notBefore = request.notBefore === undefined ? null : new Date(request.notBefore);
    const refusal = admissionRefusal(
      { start_by: deadline, not_before: notBefore } as RequestRow,
      context,
    );
    return refusal ? { reason: 'deadline', message: refusal } : undefined;
  }

  /**
   * The violations of a JSON payload sent to a type configured `validatePayload: true`, checked
   * against the schema its workers registered (design 5.1): every one, each with its path, so
   * one round of fixes is enough (past the header's limit, the rest are counted). Undefined when
   * the payload conforms, when the type does not ask for the check (the common case costs two
   * map lookups), or when there is nothing to check against (no schema registered yet, not JSON).
   * A workflow's input is checked against its first step's type (a graph's: its first root's).
   */
  private payloadViolations(
    item: Extract<IntakeItem, { kind: 'request' }>,
  ): { workerType: string; messages: string[] } | undefined {
    const route = this.config.route(item.request.contentType);
    const workerType =
      route?.kind === 'worker'
        ? route.workerType
        : (route?.graph?.steps.find((step) => step.after.length === 0)?.worker ?? route?.steps[0]);
    if (workerType === undefined || this.config.worker(workerType)?.validatePayload !== true)
      return undefined;
    const violations = this.schemas.validate(workerType, item.request.body, item.request.mimeType);
    if (!violations || violations.length === 0) return undefined;
    const lines = violations.map((violation) => `${violation.path}: ${violation.message}`);
    const messages =
      lines.length <= MAX_MESSAGES
        ? lines
        : [
            ...lines.slice(0, MAX_MESSAGES - 1),
            `and ${lines.length - MAX_MESSAGES + 1} more violations`,
          ];
    return { workerType, messages };
  }

  private candidateOf(
    item: Extract<IntakeItem, { kind: 'request' }>,
    index: number,
    context: EngineContext,
  ): Candidate {
    const { request } = item;
    const plan = this.workflows.plan(request.contentType)!;
    // Spelled out rather than spread: a spread followed by thirty properties builds a slow
    // object, and this runs once per request (it showed in the profile).
    const row: RequestRow = {
      id: item.requestId,
      state: 'QUEUED',
      content_type: request.contentType,
      workflow: plan.workflow,
      steps: [...plan.steps],
      step: 0,
      worker_type: plan.steps[0]!,
      attempt: 0,
      cycle_attempts: 0,
      input_content_type: request.contentType,
      input_mime: request.mimeType ?? null,
      meta: {},
      tenant: request.tenant ?? null,
      owner: request.owner ?? null,
      session: request.session ?? null,
      correlation_id: request.correlationId ?? null,
      reply_to: request.replyTo ?? null,
      traceparent: request.traceparent ?? null,
      tracestate: request.tracestate ?? null,
      messages: [],
      worker_id: null,
      timeout_ms: plan.route.policy.timeoutMs ?? null,
      priority: request.priority ?? 0,
      not_before: request.notBefore === undefined ? null : new Date(request.notBefore),
      start_by: request.deadline === undefined ? null : new Date(request.deadline),
      notify: request.notify ?? 'all',
      accept_batch: request.acceptBatch ?? false,
      parent_id: request.parentId ?? null,
      fair_key: null,
    };
    const effects = new Effects();
    admitRequest(row, plan, context, effects);
    const sha = createHash('sha256')
      .update(request.contentType)
      .update('\0')
      .update(request.body)
      .digest();
    return {
      index,
      request: { row, input: request.body, sha },
      effects,
      redelivered: item.redelivered,
    };
  }
}

/** The webhook subscription a request asks for (`wm-callback-url`), if any. */
function webhookOf(item: IntakeItem): WebhookSubscription[] {
  if (item.kind !== 'request' || item.request.callbackUrl === undefined) return [];
  const { callbackUrl, callbackEvents } = item.request;
  return [{ requestId: item.requestId, url: callbackUrl, events: callbackEvents ?? 'terminal' }];
}
