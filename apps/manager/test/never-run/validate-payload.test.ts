import request from 'supertest';
import { IsInt, IsNumber, IsOptional, IsString, Min } from 'class-validator';
import { HEADERS } from '@org/protocol';
import {
  collectEvents,
  eventOf,
  header,
  publishRequest,
  statesOf,
  useTestNamespace,
  waitFor,
} from '@org/testkit';
import { type Worker, type WorkerHandler } from '@org/worker-sdk';
import { type TestNamespace } from '@org/testkit';
import { type RunningManager } from '../../src/start-manager';
import { WorkerRegistry } from '../../src/workers/worker-registry.service';
import { database, rowOf } from '../support/harness';
import { startHttpManager } from '../http/http-support';
import { RequestCounters } from '../../src/requests/request-counters';
import { startSdkWorker } from '../support/sdk-worker';

/** The payload class both workers register: its JSON Schema travels in their register message. */
class ProductPayload {
  @IsString() id!: string;
  @IsNumber() @Min(0) price!: number;
  @IsOptional() @IsInt() quantity?: number;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
/** Breaks the schema three ways: a required property missing, a minimum, a type. */
const BAD = { price: -5, quantity: 'many' };
const GOOD = { id: 'p1', price: 3 };

/** Every violation of BAD, each with its path (the exact wording is Ajv's). */
function expectEveryViolation(messages: unknown): void {
  expect(messages).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^\$\.id: is required/),
      expect.stringMatching(/^\$\.price: must be >= 0/),
      expect.stringMatching(/^\$\.quantity: must be integer/),
    ]),
  );
  expect(messages).toHaveLength(3);
}

async function startProductWorker(
  ns: TestNamespace,
  manager: RunningManager,
  type: string,
  handler: WorkerHandler<ProductPayload>,
): Promise<Worker> {
  const worker = await startSdkWorker<ProductPayload>(
    ns,
    { type, payload: ProductPayload, handler },
    [manager],
  );
  // Intake checks against the registration the manager has read, not the one in flight.
  await waitFor(() => manager.app.get(WorkerRegistry).get(type)?.schema, {
    what: `${type}'s payload schema registered`,
  });
  return worker;
}

// validatePayload (design 5.1, issue 12): a JSON payload that breaks the schema its worker type
// registered ends INVALID_CONTENT at intake, with every violation, and is never dispatched.
describe('validatePayload: true checks JSON payloads at intake', () => {
  const ns = useTestNamespace('nr');

  it('refuses a bad payload (AMQP and REST) with every violation, never dispatched; a good one runs; an unchecked type passes it to its worker', async () => {
    const manager = await startHttpManager(ns(), {
      workers: [
        { type: 'nr-checked', contentTypes: ['nr/checked'], validatePayload: true },
        { type: 'nr-unchecked', contentTypes: ['nr/unchecked'] },
      ],
    });
    const events = await collectEvents(ns());
    const db = await database(ns());
    const calls: string[] = [];
    const handler: WorkerHandler<ProductPayload> = (job, ctx) => {
      calls.push(job.requestId);
      return ctx.success({ json: { price: job.payload.price } });
    };
    const checked = await startProductWorker(ns(), manager, 'nr-checked', handler);
    await startProductWorker(ns(), manager, 'nr-unchecked', handler);

    const publishJson = (requestId: string, contentType: string, value: unknown) =>
      publishRequest(ns(), {
        requestId,
        contentType,
        body: json(value),
        mimeType: 'application/json',
      });
    publishJson('bad', 'nr/checked', BAD);
    publishJson('good', 'nr/checked', GOOD);
    publishJson('passed-on', 'nr/unchecked', BAD);

    const refused = await events.first(eventOf('bad', 'INVALID_CONTENT'));
    expectEveryViolation(header(refused, HEADERS.messages));
    expect(header(refused, HEADERS.workerType)).toBe('nr-checked');
    const success = await events.first(eventOf('good', 'SUCCESS'));
    expect(JSON.parse(success.content.toString())).toEqual({ price: 3 });

    // Without validatePayload the manager leaves the payload alone: it is dispatched, and the
    // SDK refuses it before the handler (so a GRANTED shows it left the manager).
    await events.first(eventOf('passed-on', 'INVALID_CONTENT'));
    expect(statesOf(events, 'passed-on')).toContain('GRANTED');

    // Refused at intake: no other event, no stored row, no job, no handler call.
    expect(statesOf(events, 'bad')).toEqual(['INVALID_CONTENT']);
    expect(await rowOf(db, 'bad')).toBeUndefined();
    expect(calls).toEqual(['good']);
    await waitFor(() => checked.stats().processed === 1, { what: 'the good job counted' });

    // REST goes through the same intake and answers with the violations.
    const answer = await request(manager.app.getHttpServer())
      .post('/api/v1/requests')
      .send({ requestId: 'rest-bad', contentType: 'nr/checked', payload: BAD })
      .expect(202);
    expect(answer.body).toMatchObject({ id: 'rest-bad', state: 'INVALID_CONTENT' });
    expectEveryViolation((answer.body as { messages: unknown }).messages);
    const restEvent = await events.first(eventOf('rest-bad', 'INVALID_CONTENT'));
    expectEveryViolation(header(restEvent, HEADERS.messages));
    expect(await rowOf(db, 'rest-bad')).toBeUndefined();
    expect(calls).toEqual(['good']);
    expect(checked.stats().processed).toBe(1);
    // Counted for wm_requests_received_total{outcome="invalid_content"}.
    expect(manager.app.get(RequestCounters).invalidPayloads).toBe(2);
  });
});
