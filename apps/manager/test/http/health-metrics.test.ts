import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import request from 'supertest';
import { useTestNamespace, waitFor } from '@org/testkit';
import { startTestWorker } from '../support/harness';
import { startHttpManager } from './http-support';
import { TcpProxy } from './tcp-proxy';

const config = {
  workers: [
    { type: 'hm-worker', contentTypes: ['hm/raw'] },
    { type: 'hm-idle', contentTypes: ['hm/idle'] },
  ],
};

function family(families: ParsedFamily[], name: string): ParsedFamily {
  const found = families.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`metric ${name} is missing`);
  return found;
}

/** The series' value, or undefined while it has not appeared yet. */
function maybeValueOf(
  families: ParsedFamily[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const metric = families
    .find((candidate) => candidate.name === name)
    ?.metrics.find((candidate) =>
      Object.entries(labels).every(([key, value]) => candidate.labels?.[key] === value),
    );
  return metric === undefined ? undefined : Number(metric.value);
}

function valueOf(
  families: ParsedFamily[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const value = maybeValueOf(families, name, labels);
  if (value === undefined) throw new Error(`metric ${name}${JSON.stringify(labels)} is missing`);
  return value;
}

describe('health and metrics', () => {
  const ns = useTestNamespace('mm');

  it('serves Prometheus metrics a parser reads: flow counters, requests by state, waiting work, live instances, outbox', async () => {
    ns().workerTypes.add('hm-worker').add('hm-idle');
    const manager = await startHttpManager(ns(), config);
    const http = request(manager.app.getHttpServer());
    await startTestWorker(
      ns(),
      { type: 'hm-worker', handler: () => ({ status: 'SUCCESS', body: Buffer.from('ok') }) },
      [manager],
    );
    const done = await http
      .post('/api/v1/requests')
      .send({
        requests: [
          { contentType: 'hm/raw', payload: 1 },
          { contentType: 'hm/idle', payload: 2 },
          { contentType: 'hm/none', payload: 3 },
        ],
      })
      .expect(202);
    expect((done.body.requests as Array<{ state: string }>).map((entry) => entry.state)).toEqual([
      'DISPATCHED',
      'NO_WORKER_AVAILABLE',
      'SKIPPED',
    ]);

    const families = await waitFor(
      async () => {
        const response = await http.get('/metrics').expect(200);
        expect(response.headers['content-type']).toContain('text/plain');
        const parsed = parsePrometheusTextFormat(response.text);
        return maybeValueOf(parsed, 'wm_responses_total', { status: 'SUCCESS' }) === 1
          ? parsed
          : undefined;
      },
      { what: 'the SUCCESS response to be counted' },
    );

    expect(family(families, 'wm_requests_received_total').type).toBe('COUNTER');
    expect(valueOf(families, 'wm_requests_received_total', { outcome: 'accepted' })).toBe(2);
    expect(valueOf(families, 'wm_requests_received_total', { outcome: 'skipped' })).toBe(1);
    expect(valueOf(families, 'wm_jobs_dispatched_total')).toBe(1);
    expect(valueOf(families, 'wm_responses_total', { status: 'SUCCESS' })).toBe(1);
    expect(family(families, 'wm_responses_dropped_total').type).toBe('COUNTER');
    expect(family(families, 'wm_requests').type).toBe('GAUGE');
    expect(valueOf(families, 'wm_live_instances', { worker_type: 'hm-worker' })).toBe(1);
    expect(valueOf(families, 'wm_live_instances', { worker_type: 'hm-idle' })).toBe(0);
    expect(family(families, 'wm_outbox_lag_seconds').type).toBe('GAUGE');
    expect(family(families, 'wm_manager_process_resident_memory_bytes').type).toBe('GAUGE');

    // Gauges from the database are refreshed at most every 2 s; wait for the waiting request to show.
    const later = await waitFor(
      async () => {
        const parsed = parsePrometheusTextFormat((await http.get('/metrics')).text);
        return maybeValueOf(parsed, 'wm_waiting_requests', {
          worker_type: 'hm-idle',
          state: 'NO_WORKER_AVAILABLE',
        }) === 1
          ? parsed
          : undefined;
      },
      { what: 'the waiting request in wm_waiting_requests' },
    );
    expect(valueOf(later, 'wm_requests', { state: 'NO_WORKER_AVAILABLE' })).toBe(1);
    expect(
      valueOf(later, 'wm_oldest_waiting_seconds', { worker_type: 'hm-idle' }),
    ).toBeGreaterThanOrEqual(0);
    for (const state of ['NO_WORKER_AVAILABLE', 'QUEUED', 'SCHEDULED']) {
      expect(valueOf(later, 'wm_waiting_requests', { worker_type: 'hm-worker', state })).toBe(0);
      expect(valueOf(later, 'wm_waiting_requests', { worker_type: 'hm-idle', state })).toBe(
        state === 'NO_WORKER_AVAILABLE' ? 1 : 0,
      );
    }
    expect(valueOf(later, 'wm_desired_instances', { worker_type: 'hm-idle' })).toBe(1);
    expect(valueOf(later, 'wm_dispatch_window', { worker_type: 'hm-idle' })).toBe(0);
  });

  it('is ready with broker, database and migrations; not ready while the broker connection is down; ready again when it returns', async () => {
    const proxy = await TcpProxy.start(ns().amqpUrl, 5672);
    ns().defer(() => proxy.close());
    const manager = await startHttpManager(ns(), config, { amqpUrl: proxy.url(ns().amqpUrl) });
    const http = request(manager.app.getHttpServer());

    await http.get('/health/live').expect(200, { status: 'ok' });
    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: [
        { name: 'broker', ok: true, detail: 'connected' },
        { name: 'database', ok: true, detail: 'reachable' },
        { name: 'migrations', ok: true, detail: 'applied' },
      ],
    });

    await proxy.cut();
    const down = await waitFor(
      async () => {
        const response = await http.get('/health/ready');
        return response.status === 503
          ? (response.body as { status: string; checks: unknown[] })
          : undefined;
      },
      { what: 'readiness to turn false' },
    );
    expect(down.status).toBe('not ready');
    expect(down.checks).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'broker', ok: false })]),
    );
    await http.get('/health/live').expect(200);

    await proxy.restore();
    await waitFor(async () => (await http.get('/health/ready')).status === 200, {
      what: 'readiness to return',
      timeoutMs: 30_000,
    });
  });
});
