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
import { WebhookReceiver } from '../webhooks/webhook-receiver';

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

  it('is one trace: requester → manager → step 1 → manager → step 2 → manager → event (and webhook), each span the parent of the next', async () => {
    expect(tracingEnabled()).toBe(true);
    const { manager, events } = await startObservedManager(ns(), CONFIG, {
      webhookSecret: 'trace-secret-0123456789',
      webhookAllowPrivate: ['127.0.0.1/32'],
      webhookPollMs: 50,
    });
    const hook = await WebhookReceiver.start();
    ns().defer(() => hook.stop());
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
      callbackUrl: hook.url(),
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
    // The webhook call is a client span beside the event, under the response that ended the request.
    const [call] = await hook.received(1);
    const webhook = await waitFor(() =>
      exporter.getFinishedSpans().find((span) => span.name === 'wm.webhook'),
    );
    expect(call!.headers['traceparent']).toBe(traceHeadersOf(webhook.spanContext()).traceparent);
    expect(webhook.parentSpanContext?.spanId).toBe(chain[1]!.spanContext().spanId);
    expect(webhook.kind).toBe(SpanKind.CLIENT);
    expect(webhook.attributes).toMatchObject({ 'http.response.status_code': 200 });
    // The handlers' own spans hang under their job's span.
    for (const type of ['trace-a', 'trace-b']) {
      const handler = spans.find((span) => span.name === `handler ${type}`)!;
      expect(byId.get(handler.parentSpanContext!.spanId)?.name).toBe(`wm.job ${type}`);
    }
  });
});
