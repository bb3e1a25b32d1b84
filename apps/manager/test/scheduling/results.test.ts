import { connect } from 'amqplib';
import { buildRequest } from '@org/protocol';
import { eventOf, useTestNamespace, waitFor } from '@org/testkit';
import { RequestsService } from '../../src/requests/requests.service';
import { Sweeper } from '../../src/requests/sweeper.service';
import { OutputUnavailableError } from '../../src/requests/request-errors';
import { rowOf, startObservedManager, startTestWorker } from '../support/harness';

describe('results and retention (design 5.1)', () => {
  const ns = useTestNamespace();

  it('keeps the output of a success, serves it with its content type, and deletes it after its retention', async () => {
    const { manager, events, db } = await startObservedManager(ns(), {
      workers: [
        {
          type: 'keep',
          contentTypes: ['text/keep'],
          output: 'text/kept',
          keepSuccess: true,
          retention: { success: 1500 },
        },
      ],
    });
    await startTestWorker(
      ns(),
      {
        type: 'keep',
        handler: (job) => ({
          status: 'SUCCESS',
          body: Buffer.concat([job.body, Buffer.from('!')]),
        }),
      },
      [manager],
    );
    const connection = await connect(ns().amqpUrl);
    ns().defer(() => connection.close());
    const channel = await connection.createConfirmChannel();
    const message = buildRequest(ns().names, {
      requestId: 'kept',
      contentType: 'text/keep',
      mimeType: 'text/plain',
      body: Buffer.from('hello'),
    });
    channel.publish(message.exchange, message.routingKey, message.content, message.options);
    await channel.waitForConfirms();
    await events.first(eventOf('kept', 'SUCCESS'));
    const output = await manager.app.get(RequestsService).output('kept');
    expect(output.body.toString()).toBe('hello!');
    expect(output.contentType).toBe('text/kept');
    expect((await rowOf(db, 'kept'))?.state).toBe('SUCCESS');

    const sweeper = manager.app.get(Sweeper);
    await waitFor(
      async () => {
        await sweeper.sweep();
        return (await rowOf(db, 'kept')) === undefined;
      },
      { what: 'the kept success deleted after its retention', timeoutMs: 15_000 },
    );
    // Its id is still remembered: the same request again is not run twice.
    const [again] = await manager.app
      .get(RequestsService)
      .submit([{ requestId: 'kept', contentType: 'text/keep', body: Buffer.from('hello') }]);
    expect(again).toMatchObject({
      state: 'SKIPPED',
      messages: [expect.stringContaining('already finished')],
    });
  });

  it('has no output for a request that did not keep one', async () => {
    const { manager, events } = await startObservedManager(ns(), {
      workers: [{ type: 'nokeep', contentTypes: ['text/nokeep'], keepErrors: true }],
    });
    await startTestWorker(
      ns(),
      { type: 'nokeep', handler: () => ({ status: 'ERROR', messages: ['no'] }) },
      [manager],
    );
    await manager.app
      .get(RequestsService)
      .submit([{ requestId: 'failed', contentType: 'text/nokeep', body: Buffer.from('x') }]);
    await events.first(eventOf('failed', 'ERROR'));
    await expect(manager.app.get(RequestsService).output('failed')).rejects.toBeInstanceOf(
      OutputUnavailableError,
    );
  });
});
