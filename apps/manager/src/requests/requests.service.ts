import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  buildControlOrder,
  buildRequest,
  canTransition,
  RETRYABLE_REQUEST_STATES,
  type IncomingMessage,
  type Names,
  type RequestInput,
  type RequestState,
} from '@org/protocol';
import { DataSource } from 'typeorm';
import { MANAGER_ENVIRONMENT, NAMES } from '../config/environment.tokens';
import { type ManagerEnvironment } from '../config/manager-environment';
import { DatabaseService } from '../database/database.service';
import { RequestEntity } from '../database/request.entity';
import { AmqpService } from '../messaging/amqp.service';
import { EventsService, type PendingEvent } from '../messaging/events.service';
import { WorkerCatalogue } from '../workers/worker-catalogue.service';
import { Dispatcher, type DispatchKey } from './dispatcher.service';
import { intakeItemOf } from './intake-item';
import { IntakeService, type IntakeOutcome } from './intake.service';
import { eventOf, rowColumns, type RequestRow } from './request-row';
import { RequestNotFoundError, RequestStateError } from './request-errors';
import { RowWriter, type RowWrite } from './row-writer';

/** A request submitted through the API: the fields of a request message. */
export type SubmitRequestInput = RequestInput;

/** The result of an operation on one request. */
export interface RequestOperationResult {
  readonly requestId: string;
  readonly state: RequestState;
}

/** States a request may be cancelled from. */
export const CANCELLABLE_STATES: readonly RequestState[] = [
  'TO_DISPATCH',
  'NO_WORKER_AVAILABLE',
  'DISPATCHED',
  'RUNNING',
];
/** States a request may be deleted from (a kept SUCCESS included). */
export const DELETABLE_STATES: readonly RequestState[] = [...RETRYABLE_REQUEST_STATES, 'SUCCESS'];

/**
 * The operations the REST API (and tests) perform on requests: submit through the same path as
 * AMQP intake, retry, cancel, delete, read.
 */
@Injectable()
export class RequestsService {
  private readonly logger = new Logger('Requests');
  private readonly lockStatement;
  private readonly deleteStatement;

  constructor(
    private readonly database: DatabaseService,
    private readonly dataSource: DataSource,
    private readonly intake: IntakeService,
    private readonly dispatcher: Dispatcher,
    private readonly writer: RowWriter,
    private readonly events: EventsService,
    private readonly catalogue: WorkerCatalogue,
    private readonly amqp: AmqpService,
    @Inject(NAMES) private readonly names: Names,
    @Inject(MANAGER_ENVIRONMENT) private readonly environment: ManagerEnvironment,
  ) {
    const requests = database.table('requests');
    this.lockStatement = database.statement(
      'requests-lock',
      `SELECT ${rowColumns()} FROM ${requests} WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    );
    this.deleteStatement = database.statement(
      'requests-delete',
      `DELETE FROM ${requests} WHERE id = ANY($1::text[]) AND state = ANY($2::text[]) RETURNING id`,
    );
  }

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

  /** A request row for reading (admin), or undefined. */
  async find(id: string): Promise<RequestEntity | null> {
    return this.dataSource.getRepository(RequestEntity).findOneBy({ id });
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
    const kicks = new Set<string>();
    const { results, events, keys } = await this.database.transaction(async (tx) => {
      const rows = new Map(
        (await tx.query<RequestRow>(this.lockStatement, [[...new Set(ids)]])).map((row) => [
          row.id,
          row,
        ]),
      );
      const writes: RowWrite[] = [];
      const events: PendingEvent[] = [];
      const keys: DispatchKey[] = [];
      const results = ids.map((id): RequestOperationResult | Error => {
        const row = rows.get(id);
        if (!row) return new RequestNotFoundError(id);
        if (!RETRYABLE_REQUEST_STATES.includes(row.state)) {
          return new RequestStateError(id, row.state, 'retry', RETRYABLE_REQUEST_STATES);
        }
        const available = this.catalogue.isAvailable(row.worker_type);
        if (row.state === 'NO_WORKER_AVAILABLE') {
          // Already waiting: retry means "do not wait for the backoff"; it goes as soon as a worker is there.
          writes.push({ row, input: null, leaseMs: null, deadline: 'clear', retryMs: null });
          if (available) kicks.add(row.worker_type);
          return { requestId: id, state: row.state };
        }
        const next: RequestState = available ? 'TO_DISPATCH' : 'NO_WORKER_AVAILABLE';
        if (!canTransition(row.state, next))
          return new RequestStateError(id, row.state, 'retry', RETRYABLE_REQUEST_STATES);
        row.state = next;
        row.messages = [];
        row.worker_id = null;
        if (available) {
          row.attempt += 1;
          row.cycle_attempts = 1;
          keys.push({ id, attempt: row.attempt });
        } else {
          row.cycle_attempts = 0;
          events.push(
            eventOf(row, 'DELAYED', {
              messages: [`no ${row.worker_type} worker is available; the request waits for one`],
            }),
          );
        }
        writes.push({
          row,
          input: null,
          leaseMs: available ? this.environment.dispatchLeaseMs : null,
          deadline: 'clear',
          retryMs: null,
        });
        return { requestId: id, state: available ? 'DISPATCHED' : next };
      });
      await this.writer.update(tx, writes);
      return { results, events, keys };
    });
    await this.events
      .publish(events)
      .catch((error: unknown) => this.logger.warn(`events not sent: ${(error as Error).message}`));
    await this.dispatcher.dispatchKeys(keys);
    for (const type of kicks) this.dispatcher.kick(type);
    return results;
  }

  /**
   * Cancels a live request: CANCELLED (kept, retryable), the requester told, and a cancel order
   * sent to the instance holding it, or to every instance of its type when none is known yet.
   */
  async cancel(id: string, reason = 'cancelled by an operator'): Promise<RequestOperationResult> {
    const { row, previous, staged } = await this.database.transaction(async (tx) => {
      const [row] = await tx.query<RequestRow>(this.lockStatement, [[id]]);
      if (!row) throw new RequestNotFoundError(id);
      if (!CANCELLABLE_STATES.includes(row.state) || !canTransition(row.state, 'CANCELLED')) {
        throw new RequestStateError(id, row.state, 'cancel', CANCELLABLE_STATES);
      }
      const previous = row.state;
      row.state = 'CANCELLED';
      row.messages = [reason];
      await this.writer.update(tx, [
        { row, input: null, leaseMs: null, deadline: 'clear', retryMs: null },
      ]);
      const staged = await this.events.stage(tx, [eventOf(row, 'CANCELLED')]);
      return { row, previous, staged };
    });
    await this.events.deliver(staged);
    if (previous !== 'NO_WORKER_AVAILABLE') {
      const address = row.worker_id
        ? ({ target: 'instance', workerId: row.worker_id } as const)
        : ({ target: 'type', workerType: row.worker_type } as const);
      await this.amqp
        .publish(buildControlOrder(this.names, address, { order: 'cancel', requestId: id, reason }))
        .catch((error: unknown) =>
          this.logger.warn(`cancel order for ${id} not sent: ${(error as Error).message}`),
        );
    }
    return { requestId: id, state: 'CANCELLED' };
  }

  /** Deletes a finished or waiting request (never one a worker may be running). */
  async delete(id: string): Promise<void> {
    const deleted = await this.deleteMany([id]);
    if (deleted === 1) return;
    const existing = await this.find(id);
    if (!existing) throw new RequestNotFoundError(id);
    throw new RequestStateError(id, existing.state, 'delete', DELETABLE_STATES);
  }

  /** Deletes the eligible requests among `ids`; returns how many were deleted. */
  async deleteMany(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await this.database.query<{ id: string }>(this.deleteStatement, [
      [...new Set(ids)],
      DELETABLE_STATES,
    ]);
    return rows.length;
  }
}

function asIncoming(message: ReturnType<typeof buildRequest>): IncomingMessage {
  return {
    content: message.content,
    fields: { routingKey: message.routingKey, exchange: message.exchange, redelivered: false },
    properties: message.options,
  };
}
