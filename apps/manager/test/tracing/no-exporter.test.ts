import { ProxyTracer } from '@opentelemetry/api';
import { HEADERS, tracingEnabled } from '@org/protocol';
import { eventOf, header, publishRequest, useTestNamespace } from '@org/testkit';
import { startObservedManager } from '../support/harness';
import { startSdkWorker } from '../support/sdk-worker';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('OpenTelemetry without an exporter', () => {
  const ns = useTestNamespace('otel0');

  it('creates no span object on the hot path: manager and SDK never ask a tracer for one', async () => {
    // Every tracer the API hands out without a registered SDK is a ProxyTracer: a span, even a
    // no-op one, could only come from one of these two methods.
    const startSpan = jest.spyOn(ProxyTracer.prototype, 'startSpan');
    const startActiveSpan = jest.spyOn(ProxyTracer.prototype, 'startActiveSpan');
    expect(tracingEnabled()).toBe(false);
    const { manager, events } = await startObservedManager(ns(), {
      workers: [
        { type: 'plain-a', contentTypes: ['plain/a'] },
        { type: 'plain-b', contentTypes: ['plain/b'] },
      ],
      workflows: [{ type: 'plain/flow', steps: ['plain-a', 'plain-b'] }],
    });
    for (const type of ['plain-a', 'plain-b']) {
      await startSdkWorker(ns(), { type, handler: (job, ctx) => ctx.success({ body: job.body }) }, [
        manager,
      ]);
    }
    for (let index = 0; index < 20; index++) {
      publishRequest(ns(), {
        requestId: `plain-${index}`,
        contentType: 'plain/flow',
        body: Buffer.from('x'),
        traceparent: TRACEPARENT,
      });
    }
    const success = await events.first(eventOf('plain-19', 'SUCCESS'));
    // Untraced, the requester's context travels through unchanged (v1 behaviour).
    expect(header(success, HEADERS.traceparent)).toBe(TRACEPARENT);
    expect(startSpan).not.toHaveBeenCalled();
    expect(startActiveSpan).not.toHaveBeenCalled();
  });
});
