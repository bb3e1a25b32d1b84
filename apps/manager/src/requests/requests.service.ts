import { Inject, Injectable } from '@nestjs/common';
import {
  buildRequest,
  type IncomingMessage,
  type Names,
  type RequestInput,
  type RequestState,
} from '@org/protocol';
import { NAMES } from '../config/environment.tokens';
import { DatabaseService } from '../database/database.service';
import { type AfterCommit, ChangeCommitter } from './change-committer.service';
import { EngineContextFactory } from './engine-context.factory';
import { Effects } from './engine/effects';
import { cancel, DELETABLE_STATES, retry } from './engine/operations';
import { RowChange } from './engine/row-change';
import { intakeItemOf } from './intake-item';
import { IntakeService, type IntakeOutcome } from './intake.service';
import { OutputUnavailableError, RequestNotFoundError, RequestStateError } from './request-errors';
import { RequestsRepository, type StoredOutput } from './store/requests.repository';

/** A request submitted through the API: the fields of a request message. */
export type SubmitRequestInput = RequestInput;

/** The result of an operation on one request. */
export interface RequestOperationResult {
  readonly requestId: string;
  readonly state: RequestState;
}

/**
 * The operations an operator (REST, dashboard, tests) performs on requests: submit through the
 * same path as AMQP intake, retry, cancel, delete, fetch a kept output. Each locks its rows,
 * lets the engine decide, and writes and sends through the same committer as the message flow.
 */
@Injectable()
export class RequestsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly requests: RequestsRepository,
    private readonly committer: ChangeCommitter,
    private readonly contexts: EngineContextFactory,
    private readonly intake: IntakeService,
    @Inject(NAMES) private readonly names: Names,
  ) {}

  /**
   * Submits requests exactly as if they had arrived on `<ns>.requests` (same validation, same
   * events). Each answer says the request's id and state (`SKIPPED` with the reasons, or the
   * state it is in after intake).
   */
  async submit(inputs: readonly SubmitRequestInput[]): Promise<IntakeOutcome[]> {
    return this.intake.ingest(
      inputs.map((input) => intakeItemOf(asIncoming(buildRequest(this.names, input)))),
    );
  }

  /** Starts a new cycle of one request at its failed step, with that step's stored input. */
  async retry(id: string): Promise<RequestOperationResult> {
    const [result] = await this.retryMany([id]);
    if (result instanceof Error) throw result;
    return result!;
  }

  /**
   * Retries many requests in one transaction; each answer is the new state or the reason it was
   * not retried ({@link RequestNotFoundError}, {@link RequestStateError}).
   */
  async retryMany(ids: readonly string[]): Promise<Array<RequestOperationResult | Error>> {
    const context = this.contexts.context();
    const { results, after } = await this.operateMany(ids, 'retry', (change, effects) =>
      retry(change, context, effects),
    );
    const dispatched = new Set(after.jobs.rows.map((row) => row.id));
    return results.map((result) =>
      result instanceof Error || !dispatched.has(result.requestId)
        ? result
        : { requestId: result.requestId, state: 'DISPATCHED' },
    );
  }

  /**
   * Cancels a live request: CANCELLED (kept, retryable), the requester told, and a job that may
   * be outstanding cancelled wherever it is (running, or still in its queue).
   */
  async cancel(id: string, reason = 'cancelled by an operator'): Promise<RequestOperationResult> {
    const [result] = await this.cancelMany([id], reason);
    if (result instanceof Error) throw result;
    return result!;
  }

  /** Cancels many requests in one transaction; each answer is the new state or why not. */
  async cancelMany(
    ids: readonly string[],
    reason = 'cancelled by an operator',
  ): Promise<Array<RequestOperationResult | Error>> {
    const { results } = await this.operateMany(ids, 'cancel', (change, effects) =>
      cancel(change, reason, effects),
    );
    return results;
  }

  /** Deletes a finished or waiting request (never one a worker may be running). */
  async delete(id: string): Promise<void> {
    const deleted = await this.deleteMany([id]);
    if (deleted === 1) return;
    const [existing] = await this.database.transaction((tx) => this.requests.lock(tx, [id]));
    if (!existing) throw new RequestNotFoundError(id);
    throw new RequestStateError(id, existing.state, 'delete', DELETABLE_STATES);
  }

  /** Deletes the eligible requests among `ids`; returns how many were deleted. */
  async deleteMany(ids: readonly string[]): Promise<number> {
    return (await this.requests.delete(ids, DELETABLE_STATES)).length;
  }

  /** The kept output of a request that succeeded with `keepSuccess`. */
  async output(id: string): Promise<StoredOutput & { body: Buffer }> {
    const stored = await this.requests.output(id);
    if (!stored) throw new RequestNotFoundError(id);
    if (stored.state !== 'SUCCESS' || stored.body === null)
      throw new OutputUnavailableError(id, stored.state as RequestState);
    return { ...stored, body: stored.body };
  }

  /**
   * One operator operation on many rows in one transaction: each row locked, decided by
   * `operate` (which returns why it refused, if it did), written, and what follows carried out
   * after commit. Each answer is the row's new state or the reason it was left alone.
   */
  private async operateMany(
    ids: readonly string[],
    operation: 'retry' | 'cancel',
    operate: (change: RowChange, effects: Effects) => readonly RequestState[] | undefined,
  ): Promise<{ results: Array<RequestOperationResult | Error>; after: AfterCommit }> {
    const { results, after } = await this.database.transaction(async (tx) => {
      const rows = new Map((await this.requests.lock(tx, ids)).map((row) => [row.id, row]));
      const effects = new Effects();
      const changes: RowChange[] = [];
      const results = ids.map((id): RequestOperationResult | Error => {
        const row = rows.get(id);
        if (!row) return new RequestNotFoundError(id);
        const before = row.state;
        const change = new RowChange(row);
        const refused = operate(change, effects);
        if (refused) return new RequestStateError(id, before, operation, refused);
        changes.push(change);
        return { requestId: id, state: change.row.state };
      });
      return { results, after: await this.committer.commit(tx, changes, effects) };
    });
    await this.committer.carryOut(after);
    return { results, after };
  }
}

function asIncoming(message: ReturnType<typeof buildRequest>): IncomingMessage {
  return {
    content: message.content,
    fields: { routingKey: message.routingKey, exchange: message.exchange, redelivered: false },
    properties: message.options,
  };
}
