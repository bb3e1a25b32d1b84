import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import request from 'supertest';
import { HEADERS } from '@org/protocol';
import { collectEvents, deferred, eventOf, header, useTestNamespace, waitFor } from '@org/testkit';
import { startSdkWorker } from '../support/sdk-worker';
import { startHttpManager } from './http-support';

const config = {
  workers: [
    { type: 'lm-fast', contentTypes: ['lm/fast'] },
    { type: 'lm-late', contentTypes: ['lm/late'] },
  ],
};

type Series = ParsedFamily['metrics'][number];

function series(
  families: ParsedFamily[],
  name: string,
  labels: Record<string, string>,
): Series | undefined {
  return families
    .find((family) => family.name === name)
    ?.metrics.find((metric) =>
      Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value),
    );
}

interface HistogramSeries {
  readonly count: number;
  readonly sum: number;
  readonly buckets: ReadonlyMap<string, number>;
}

/**
 * One labelled histogram series read from the text format. The parser library flattens a
 * histogram's series into one (it drops their labels), so the samples are read here: the family's
 * type still comes from the parser.
 */
function histogram(text: string, name: string, workerType: string): HistogramSeries {
  const buckets = new Map<string, number>();
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || !match[2]!.includes(`worker_type="${workerType}"`)) continue;
    const value = Number(match[3]);
    if (match[1] === `${name}_count`) count = value;
    else if (match[1] === `${name}_sum`) sum = value;
    else if (match[1] === `${name}_bucket`) buckets.set(/le="([^"]+)"/.exec(match[2]!)![1]!, value);
  }
  return { count, sum, buckets };
}

function counter(families: ParsedFamily[], name: string, labels: Record<string, string>): number {
  return Number(series(families, name, labels)?.value ?? 0);
}

describe('latency metrics', () => {
  const ns = useTestNamespace('ml');

  it('observes dispatch latency (accepted -> confirmed, waiting included) and processing latency (published -> final response) per worker type, and labels dispatch/response counters by worker type', async () => {
    const manager = await startHttpManager(ns(), config);
    const http = request(manager.app.getHttpServer());
    const events = await collectEvents(ns());
    const release = deferred<void>();
    await startSdkWorker(
      ns(),
      {
        type: 'lm-fast',
        concurrency: 4,
        handler: async (job, ctx) => {
          const text = job.body.toString();
          if (text.includes('hold')) await release.promise;
          if (text.includes('bad')) return ctx.invalid('not a product');
          return ctx.success({ body: job.body });
        },
      },
      [manager],
    );

    // The waiting request is accepted first: its dispatch latency includes the wait for a worker.
    const late = await http
      .post('/api/v1/requests')
      .send({ contentType: 'lm/late', payload: 'late' })
      .expect(202);
    const acceptedBy = Date.now();
    const lateId = (late.body as { id: string }).id;
    const submitted = await http
      .post('/api/v1/requests')
      .send({
        requests: [
          { contentType: 'lm/fast', payload: 'one' },
          { contentType: 'lm/fast', payload: 'two' },
          { contentType: 'lm/fast', payload: 'bad' },
          { contentType: 'lm/fast', payload: 'hold' },
        ],
      })
      .expect(202);
    const ids = (submitted.body as { requests: Array<{ id: string }> }).requests.map(
      (entry) => entry.id,
    );
    const heldId = ids[3]!;

    // GRANTED is sent after the job was published: the held job's clock runs from before here.
    await events.first(eventOf(heldId, 'GRANTED'));
    const grantedSeen = Date.now();
    await events.first(eventOf(ids[2]!, 'INVALID_CONTENT'));
    await events.first(eventOf(ids[0]!, 'SUCCESS'));
    await events.first(eventOf(ids[1]!, 'SUCCESS'));
    const before = (await http.get('/metrics').expect(200)).text;
    // Three jobs ended; the held one has not, so it is not observed yet.
    expect(histogram(before, 'wm_processing_latency_seconds', 'lm-fast').count).toBe(3);
    expect(histogram(before, 'wm_dispatch_latency_seconds', 'lm-late').count).toBe(0);

    const lateStartedAt = Date.now();
    await startSdkWorker(
      ns(),
      { type: 'lm-late', handler: (job, ctx) => ctx.success({ body: job.body }) },
      [manager],
    );
    await events.first(eventOf(lateId, 'SUCCESS'));
    const releasedAt = Date.now();
    release.resolve();
    const heldDone = await events.first(eventOf(heldId, 'SUCCESS'));
    expect(header(heldDone, HEADERS.workerType)).toBe('lm-fast');

    const text = await waitFor(
      async () => {
        const scraped = (await http.get('/metrics').expect(200)).text;
        return histogram(scraped, 'wm_processing_latency_seconds', 'lm-fast').count === 4
          ? scraped
          : undefined;
      },
      { what: 'the held job in the processing histogram' },
    );
    const families = parsePrometheusTextFormat(text);
    expect(families.find((family) => family.name === 'wm_dispatch_latency_seconds')?.type).toBe(
      'HISTOGRAM',
    );
    expect(families.find((family) => family.name === 'wm_processing_latency_seconds')?.type).toBe(
      'HISTOGRAM',
    );

    const dispatchFast = histogram(text, 'wm_dispatch_latency_seconds', 'lm-fast');
    const dispatchLate = histogram(text, 'wm_dispatch_latency_seconds', 'lm-late');
    expect(dispatchFast.count).toBe(4);
    expect(dispatchLate.count).toBe(1);
    // Accepted before `acceptedBy`, confirmed only after its worker was started.
    expect(dispatchLate.sum).toBeGreaterThanOrEqual((lateStartedAt - acceptedBy) / 1000);
    expect(dispatchLate.sum).toBeGreaterThan(dispatchFast.sum / dispatchFast.count);

    const processingFast = histogram(text, 'wm_processing_latency_seconds', 'lm-fast');
    const processingLate = histogram(text, 'wm_processing_latency_seconds', 'lm-late');
    expect(processingFast.count).toBe(4);
    expect(processingLate.count).toBe(1);
    // The held job was confirmed before GRANTED was seen and its answer applied after the release.
    expect(processingFast.sum).toBeGreaterThanOrEqual((releasedAt - grantedSeen) / 1000 - 0.001);
    // Every observation lands in a bucket: the +Inf bucket equals the count.
    expect(processingFast.buckets.get('+Inf')).toBe(4);
    expect(dispatchLate.buckets.get('+Inf')).toBe(1);

    expect(counter(families, 'wm_jobs_dispatched_total', { worker_type: 'lm-fast' })).toBe(4);
    expect(counter(families, 'wm_jobs_dispatched_total', { worker_type: 'lm-late' })).toBe(1);
    expect(
      counter(families, 'wm_responses_total', { worker_type: 'lm-fast', status: 'SUCCESS' }),
    ).toBe(3);
    expect(
      counter(families, 'wm_responses_total', {
        worker_type: 'lm-fast',
        status: 'INVALID_CONTENT',
      }),
    ).toBe(1);
    expect(
      counter(families, 'wm_responses_total', { worker_type: 'lm-fast', status: 'RUNNING' }),
    ).toBe(4);
    expect(
      counter(families, 'wm_responses_total', { worker_type: 'lm-late', status: 'SUCCESS' }),
    ).toBe(1);
  });
});
