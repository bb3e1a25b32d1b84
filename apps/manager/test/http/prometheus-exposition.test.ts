import request from 'supertest';
import { useTestNamespace } from '@org/testkit';
import { promtoolCheckMetrics, withPromtool } from '../support/promtool';
import { startHttpManager } from './http-support';

const config = { workers: [{ type: 'prom-worker', contentTypes: ['prom/raw'] }] };

/** The scrape as Prometheus's own linter reads it, not our parser. */
describe('/metrics under promtool check metrics', () => {
  const ns = useTestNamespace('pm');

  withPromtool(
    'passes on a scrape with traffic behind it',
    async (promtool) => {
      ns().workerTypes.add('prom-worker');
      const manager = await startHttpManager(ns(), config);
      const http = request(manager.app.getHttpServer());
      // Some traffic, so labelled series and histograms have samples.
      await http
        .post('/api/v1/requests')
        .send({ contentType: 'prom/raw', payload: { n: 1 } })
        .expect(202);
      await http
        .post('/api/v1/requests')
        .send({ contentType: 'prom/none', payload: 1 })
        .expect(202);
      const scrape = await http.get('/metrics').expect(200);
      expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(scrape.text).toContain('wm_requests_received_total{outcome="skipped"} 1');
      expect(scrape.text).toContain('wm_manager_nodejs_active_handles{');
      expect(await promtoolCheckMetrics(promtool, scrape.text)).toEqual({ code: 0, problems: [] });
    },
    60_000,
  );

  withPromtool('fails on a broken exposition: a gauge named like a counter', async (promtool) => {
    const exposition = [
      '# HELP wm_things_total Things.',
      '# TYPE wm_things_total gauge',
      'wm_things_total 3',
      '',
    ].join('\n');
    const verdict = await promtoolCheckMetrics(promtool, exposition);
    expect(verdict.code).not.toBe(0);
    expect(verdict.problems).toEqual([
      'wm_things_total non-counter metrics should not have "_total" suffix',
    ]);
  });
});
