import request from 'supertest';
import { useTestNamespace } from '@org/testkit';
import { HttpDrain } from '../../src/http/http-drain';
import { expectProblem, startHttpManager } from './http-support';

describe('a replica that is stopping', () => {
  const ns = useTestNamespace('dr');

  it('answers new calls 503 problem details with Connection: close, and still its probes', async () => {
    const manager = await startHttpManager(ns(), { workers: [] });
    const http = request(manager.app.getHttpServer());
    await manager.app.get(HttpDrain).stop(1000);
    const refused = await http.get('/api/v1/workers').set('X-Request-Id', 'call-503').expect(503);
    expectProblem(refused, 503, 'service_unavailable');
    expect(refused.headers['connection']).toBe('close');
    expect(refused.body).toEqual({
      type: 'urn:wm:problem:service_unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: 'this manager replica is stopping; send the call again',
      instance: '/api/v1/workers',
      code: 'service_unavailable',
      requestId: 'call-503',
    });
    await http.get('/health/live').expect(200);
  });
});
