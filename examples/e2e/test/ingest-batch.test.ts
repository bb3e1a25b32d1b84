import { existsSync } from 'node:fs';
import { HEADERS } from '@org/protocol';
import { collectEvents, header, inState, useTestNamespace } from '@org/testkit';
import { type ProductFeature } from '@org/example-metadata-extractor';
import { DataDirs, sha256Of, type Product } from './support/products';
import {
  requests,
  startExtractor,
  startMover,
  startTestManager,
  submitIngest,
} from './support/system';

const BATCH = 200;

describe('product/ingest end to end: the manager, the file mover and the metadata extractor', () => {
  const ns = useTestNamespace('e2e');
  let dirs: DataDirs;
  beforeEach(async () => {
    dirs = await DataDirs.create();
  });
  afterEach(() => dirs.dispose());

  it(`ingests a batch of ${BATCH} GeoTIFFs and GeoJSONs: moved and verified, described exactly, all SUCCESS, rows deleted`, async () => {
    const manager = await startTestManager(ns());
    await startMover(ns(), manager, dirs.roots);
    await startExtractor(ns(), manager, dirs.roots);
    const events = await collectEvents(ns());
    const products: Product[] = await Promise.all(
      Array.from({ length: BATCH }, (_, index) =>
        index % 2 === 0 ? dirs.geoTiff(index) : dirs.geoJson(index),
      ),
    );
    const ids = products.map((_, index) => `batch-${index}`);

    products.forEach((product, index) =>
      submitIngest(ns(), ids[index]!, { source: product.source, destination: product.destination }),
    );
    const successes = await events.waitFor(BATCH, inState('SUCCESS'), 120_000, 'every SUCCESS');

    // Exactly one terminal event per request, and it is SUCCESS.
    const terminal = events.matching((message) =>
      ['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED', 'SKIPPED'].includes(
        String(header(message, HEADERS.state)),
      ),
    );
    expect(terminal).toHaveLength(BATCH);
    const byId = new Map(successes.map((message) => [header(message, HEADERS.requestId), message]));
    expect([...byId.keys()].sort()).toEqual([...ids].sort());

    for (const [index, product] of products.entries()) {
      const feature = JSON.parse(byId.get(ids[index])!.content.toString('utf8')) as ProductFeature;
      // Moved: the source is gone and the stored bytes are the original ones.
      expect(existsSync(product.source)).toBe(false);
      expect(await sha256Of(product.destination)).toBe(product.sha256);
      // Described: the known values of the generated file.
      expect(feature).toMatchObject({
        type: 'Feature',
        id: product.sha256,
        bbox: product.bbox,
        properties: {
          location: product.destination,
          size: product.size,
          sha256: product.sha256,
          format: product.format,
          crs: 'EPSG:4326',
        },
      });
      expect(feature.properties).not.toHaveProperty('changedSinceStored');
      if (product.format === 'GeoTIFF') {
        expect(feature.properties).toMatchObject({
          nativeBbox: product.bbox,
          bands: 1,
          acquisitionTime: '2024-03-04T05:06:07.000Z',
        });
      } else {
        expect(feature.properties).toMatchObject({ attributes: { id: `item-${index}` } });
      }
    }
    // Each request went through both steps: GRANTED at step 0 (mover), SUCCESS at step 1
    // (extractor; a GRANTED for step 1 only if its job outlived WM_DISPATCHED_AFTER_MS).
    const steps = (state: string): Set<string> =>
      new Set(
        events
          .matching(inState(state))
          .map(
            (message) =>
              `${String(header(message, HEADERS.requestId))}@${String(header(message, HEADERS.step))}`,
          ),
      );
    const granted = steps('GRANTED');
    expect(ids.filter((id) => !granted.has(`${id}@0`))).toEqual([]);
    expect(steps('SUCCESS')).toEqual(new Set(ids.map((id) => `${id}@1`)));

    // A request that reached SUCCESS is deleted.
    const rows = await Promise.all(ids.map((id) => requests(manager).find(id)));
    expect(rows.filter((row) => row !== null)).toEqual([]);
  }, 150_000);
});
