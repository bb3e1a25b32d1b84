import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HEADERS } from '@org/protocol';
import { collectEvents, header, inState, useTestNamespace } from '@org/testkit';
import { DataDirs, type Product } from './support/products';
import {
  INGEST_FULL,
  requests,
  RunCounter,
  startAssembler,
  startChecksum,
  startExtractor,
  startMover,
  startTestManager,
  submitIngest,
} from './support/system';

const COUNT = 40;

describe('product/ingest-full end to end: a graph of four example workers (design 5.4)', () => {
  const ns = useTestNamespace('e2eg');
  let dirs: DataDirs;
  beforeEach(async () => {
    dirs = await DataDirs.create();
  });
  afterEach(() => dirs.dispose());

  it(`moves ${COUNT} products once, describes and checksums them in parallel, assembles each Feature`, async () => {
    const manager = await startTestManager(ns());
    const movers = new RunCounter();
    const extractors = new RunCounter();
    const checksums = new RunCounter();
    const assemblers = new RunCounter();
    await startMover(ns(), manager, dirs.roots, { counter: movers });
    await startExtractor(ns(), manager, dirs.roots, extractors);
    await startChecksum(ns(), manager, dirs.roots, checksums);
    await startAssembler(ns(), manager, assemblers);
    const events = await collectEvents(ns());
    const products: Product[] = await Promise.all(
      Array.from({ length: COUNT }, (_, index) =>
        index % 2 === 0 ? dirs.geoTiff(index) : dirs.geoJson(index),
      ),
    );
    const ids = products.map((_, index) => `full-${index}`);
    products.forEach((product, index) =>
      submitIngest(
        ns(),
        ids[index]!,
        { source: product.source, destination: product.destination },
        INGEST_FULL,
      ),
    );
    const successes = await events.waitFor(COUNT, inState('SUCCESS'), 120_000, 'every SUCCESS');
    const terminal = events.matching((message) =>
      ['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED', 'SKIPPED'].includes(
        String(header(message, HEADERS.state)),
      ),
    );
    expect(terminal).toHaveLength(COUNT);

    const byId = new Map(successes.map((message) => [header(message, HEADERS.requestId), message]));
    for (const [index, product] of products.entries()) {
      const success = byId.get(ids[index])!;
      expect(header(success, HEADERS.contentType)).toBe('product/feature');
      expect(header(success, HEADERS.workerType)).toBe('feature-assembler');
      const stored = await readFile(product.destination);
      const feature = JSON.parse(success.content.toString('utf8')) as {
        id: string;
        properties: Record<string, unknown>;
      };
      // The extractor's description and the checksum's sums, in one Feature.
      expect(feature).toMatchObject({
        type: 'Feature',
        id: product.sha256,
        bbox: product.bbox,
        properties: {
          location: product.destination,
          format: product.format,
          checksums: {
            sha256: product.sha256,
            md5: createHash('md5').update(stored).digest('hex'),
            size: product.size,
          },
          verified: true,
        },
      });
    }
    // Each step ran for every request (a second run would be a re-dispatch under a new attempt,
    // which only a lease expiring on a loaded machine causes).
    for (const counter of [movers, extractors, checksums, assemblers])
      expect(ids.every((id) => counter.of(id) >= 1)).toBe(true);
    // GRANTED for every step of every request, by its declared index.
    const granted = events
      .matching(inState('GRANTED'))
      .map(
        (message) =>
          `${String(header(message, HEADERS.requestId))}@${String(header(message, HEADERS.step))}`,
      );
    expect(new Set(granted)).toEqual(
      new Set(ids.flatMap((id) => [0, 1, 2, 3].map((step) => `${id}@${step}`))),
    );
    // A request that reached SUCCESS is deleted, its steps with it.
    const rows = await Promise.all(ids.map((id) => requests(manager).find(id)));
    expect(rows.filter((row) => row !== null)).toEqual([]);
  }, 150_000);
});
