import request from 'supertest';
import { buildResponse, HEADERS } from '@org/protocol';
import { useTestNamespace, waitFor } from '@org/testkit';
import { parkReasonOf } from '../src/messaging/message-parking';
import { startHttpManager } from './http/http-support';

const config = { workers: [{ type: 'park-worker', contentTypes: ['park/raw'] }] };

/** A response that breaks the contract is parked with its reasons and counted, not only logged. */
describe('parking of unreadable responses', () => {
  const ns = useTestNamespace('pk');

  it('parks a response without wm-worker-id in <ns>.parked, body and headers as sent, and counts it', async () => {
    ns().workerTypes.add('park-worker');
    const manager = await startHttpManager(ns(), config);
    const response = buildResponse(ns().names, {
      requestId: 'park-1',
      attempt: 1,
      status: 'SUCCESS',
      workerType: 'park-worker',
      workerId: 'w-1',
      body: Buffer.from('the output'),
      meta: { 'wm-meta-origin': 'test' },
      messageId: 'response-park-1',
      correlationId: 'corr-1',
    });
    const headers = { ...response.options.headers };
    delete headers[HEADERS.workerId];
    ns().channel.publish(response.exchange, response.routingKey, response.content, {
      ...response.options,
      headers,
    });

    const message = await waitFor(
      async () => (await ns().channel.get(ns().names.queues.parked, { noAck: true })) || undefined,
      { what: 'the response in the parking queue' },
    );
    expect(message.content.toString()).toBe('the output');
    expect(message.properties).toMatchObject({
      messageId: 'response-park-1',
      correlationId: 'corr-1',
      deliveryMode: 2,
    });
    // Every header as sent, the reasons and the source queue (the broker adds its x- headers).
    expect(message.properties.headers).toEqual({
      ...headers,
      [HEADERS.parkReasons]: ['headers.wm-worker-id: is required'],
      [HEADERS.parkedFrom]: ns().names.queues.managerResponses,
      'x-delivery-count': expect.any(Number),
    });

    const scrape = await request(manager.app.getHttpServer()).get('/metrics').expect(200);
    expect(scrape.text).toContain('wm_responses_dropped_total{reason="missing_header"} 1');
    // Parked, not requeued or dead-lettered: the responses queue is empty again.
    const { messageCount } = await ns().channel.checkQueue(ns().names.queues.managerResponses);
    expect(messageCount).toBe(0);
  });

  it('counts each parked response under one reason of a fixed set', () => {
    expect(
      parkReasonOf([
        { path: 'headers.wm-attempt', message: 'must be an integer, got string "two"' },
        { path: 'headers.wm-worker-id', message: 'is required' },
      ]),
    ).toBe('missing_header');
    expect(
      parkReasonOf([
        { path: 'headers.wm-attempt', message: 'must be an integer, got string "two"' },
      ]),
    ).toBe('invalid_header');
    expect(
      parkReasonOf([
        { path: 'body', message: 'must be empty on ERROR (only SUCCESS carries a payload)' },
      ]),
    ).toBe('invalid_body');
  });
});
