import { getMetadataStorage } from 'class-validator';
import { buildWorkerMessage, namesFor, parseJsonBody, WorkerStatusBody } from '../src/index';
import {
  fastWorkerStatus,
  WORKER_STATUS_FIELD_CHECKS,
} from '../src/messages/worker-status-fast-path';
import { parseWorkerMessage } from '../src/messages/worker-status-message';

const names = namesFor('fast');

const VALID = {
  id: 'mover-host-1-abc',
  type: 'mover',
  status: 'ready',
  version: '1.0.0',
  host: 'host',
  pid: 42,
  startedAt: '2026-11-29T04:40:00.123Z',
  concurrency: 4,
  inFlight: 1,
  processed: 10,
  failed: 0,
  avgDurationMs: 12.5,
  rssBytes: 1000,
  cpu: 3.2,
  batch: 10,
  contract: '2.0.0',
  description: 'moves',
  contentTypes: ['product/raw'],
  schema: { type: 'object' },
};

/** Bodies that differ from VALID in one field, valid or not, to compare both paths on. */
const VARIANTS: Array<Record<string, unknown>> = [
  {},
  { status: 'draining' },
  { status: 'gone' },
  { id: '' },
  { id: '-starts-badly' },
  { id: 'x'.repeat(129) },
  { id: 7 },
  { type: 'Mover' },
  { type: 'a.b' },
  { version: 'v'.repeat(65) },
  { host: 3 },
  { pid: -1 },
  { pid: 1.5 },
  { pid: '42' },
  { startedAt: 'yesterday' },
  { startedAt: '2026-11-29' },
  { startedAt: '2026-11-29T25:00:00Z' },
  { startedAt: '2026-11-29T04:40:00+01:00' },
  { startedAt: '2026-13-01T00:00:00Z' },
  { concurrency: 0 },
  { inFlight: -1 },
  { avgDurationMs: -0.5 },
  { avgDurationMs: '1' },
  { cpu: 150.5 },
  { batch: 1 },
  { batch: 1001 },
  { batch: 1000 },
  { contract: 'c'.repeat(33) },
  { description: 'd'.repeat(4097) },
  { contentTypes: [] },
  { contentTypes: ['has space'] },
  { contentTypes: 'product/raw' },
  { contentTypes: Array.from({ length: 65 }, (_, index) => `t/${index}`) },
  { schema: [] },
  { schema: null },
  { version: null },
  { unknownField: 'dropped' },
];

describe('fastWorkerStatus', () => {
  it('has a check for every decorated field of WorkerStatusBody, and none more', () => {
    const decorated = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(WorkerStatusBody, '', true, false)
        .map((metadata) => metadata.propertyName),
    );
    expect(Object.keys(WORKER_STATUS_FIELD_CHECKS).sort()).toEqual([...decorated].sort());
  });

  it.each(VARIANTS.map((variant) => [JSON.stringify(variant).slice(0, 60), variant]))(
    'never accepts what the full validation refuses: %s',
    (_name, variant) => {
      const body = { ...VALID, ...variant };
      const content = Buffer.from(JSON.stringify(body));
      const fast = fastWorkerStatus(content);
      const full = parseJsonBody(WorkerStatusBody, content, 'worker message');
      if (fast) {
        expect(full.ok).toBe(true);
        expect(fast).toEqual(
          JSON.parse(JSON.stringify(full.ok ? { ...full.value } : {})) as Record<string, unknown>,
        );
      }
      // Either way, the parser's answer is the full validation's.
      const message = buildWorkerMessage(names, 'heartbeat', VALID as never);
      const parsed = parseWorkerMessage({
        content,
        fields: { routingKey: `heartbeat.${String(body.type)}` },
        properties: message.options,
      } as never);
      expect(parsed.ok).toBe(full.ok);
    },
  );

  it('takes the common heartbeat and drops unknown fields', () => {
    const content = Buffer.from(JSON.stringify({ ...VALID, extra: 1 }));
    expect(fastWorkerStatus(content)).toEqual(VALID);
    expect(fastWorkerStatus(Buffer.from('not json'))).toBeUndefined();
    expect(fastWorkerStatus(Buffer.from('[1]'))).toBeUndefined();
    expect(fastWorkerStatus(Buffer.from(JSON.stringify({ id: 'a', type: 'b' })))).toBeUndefined();
  });
});
