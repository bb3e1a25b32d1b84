import { SpanKind, trace, context, propagation } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HEADERS, traceHeadersOf, tracingEnabled } from '@org/protocol';
import { eventOf, header, publishRequest, useTestNamespace, waitFor } from '@org/testkit';
import { startObservedManager } from '../support/harness';
import { startSdkWorker } from '../support/sdk-worker';

const CONFIG = {
  workers: [
    { type: 'trace-a', contentTypes: ['trace/a'] },
    { type: 'trace-b', contentTypes: ['trace/b'] },
  ],
  workflows: [{ type: 'trace/flow', steps: ['trace-a', 'trace-b'] }],
};

describe('OpenTelemetry: one request through a two-step workflow', () => {
  const ns = useTestNamespace('otel');
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('is one trace: requester → manager → step 1 → manager → step 2 → manager → event, each span the parent of the next', async () => {
    expect(tracingEnabled()).toBe(true);
    const { manager, events } = await startObservedManager(ns(), CONFIG);
    for (const type of ['trace-a', 'trace-b']) {
      await startSdkWorker(
        ns(),
        {
          type,
          handler: (job, ctx) => {
            // The handler runs inside the job's span: its own spans are children of it.
            trace.getTracer('handler').startSpan(`handler ${type}`).end();
            return ctx.success({ body: Buffer.concat([job.body, Buffer.from(`>${type}`)]) });
          },
        },
        [manager],
      );
    }

    const requester = trace
      .getTracer('requester')
      .startSpan('requester submit', { kind: SpanKind.PRODUCER });
    publishRequest(ns(), {
      requestId: 'traced-1',
      contentType: 'trace/flow',
      body: Buffer.from('in'),
      ...traceHeadersOf(requester.spanContext()),
    });
    requester.end();
    const success = await events.first(eventOf('traced-1', 'SUCCESS'));
    expect(success.content.toString()).toBe('in>trace-a>trace-b');

    const spans = await waitFor(() => {
      const finished = exporter.getFinishedSpans();
      return finished.some((span) => span.name === 'wm.event SUCCESS') && finished;
    });
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const event = spans.find((span) => span.name === 'wm.event SUCCESS')!;
    // The event message names its span as the parent of whatever the requester does next.
    expect(header(success, HEADERS.traceparent)).toBe(
      traceHeadersOf(event.spanContext()).traceparent,
    );

    const chain: ReadableSpan[] = [];
    for (let span: ReadableSpan | undefined = event; span;) {
      chain.push(span);
      const parentId: string | undefined = span.parentSpanContext?.spanId;
      span = parentId ? byId.get(parentId) : undefined;
    }
    expect(chain.map((span) => span.name)).toEqual([
      'wm.event SUCCESS',
      'wm.response SUCCESS',
      'wm.job trace-b',
      'wm.dispatch trace-b',
      'wm.response SUCCESS',
      'wm.job trace-a',
      'wm.dispatch trace-a',
      'wm.intake',
      'requester submit',
    ]);
    expect(new Set(chain.map((span) => span.spanContext().traceId))).toEqual(
      new Set([requester.spanContext().traceId]),
    );
    expect(chain.map((span) => span.kind)).toEqual([
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.CONSUMER,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.CONSUMER,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.PRODUCER,
    ]);
    expect(chain[2]!.attributes).toMatchObject({
      'wm.request_id': 'traced-1',
      'wm.step': 1,
      'wm.status': 'SUCCESS',
    });
    // The handlers' own spans hang under their job's span.
    for (const type of ['trace-a', 'trace-b']) {
      const handler = spans.find((span) => span.name === `handler ${type}`)!;
      expect(byId.get(handler.parentSpanContext!.spanId)?.name).toBe(`wm.job ${type}`);
    }
  });
});
