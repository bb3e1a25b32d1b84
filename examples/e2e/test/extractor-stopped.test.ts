import { existsSync } from 'node:fs';
import { HEADERS } from '@org/protocol';
import { collectEvents, eventOf, header, inState, useTestNamespace, waitFor } from '@org/testkit';
import { METADATA_EXTRACTOR_TYPE, type ProductFeature } from '@org/example-metadata-extractor';
import { WorkerCatalogue } from '@org/manager';
import { DataDirs, sha256Of } from './support/products';
import {
  requests,
  startExtractor,
  startMover,
  startTestManager,
  submitIngest,
} from './support/system';

describe('product/ingest with the metadata extractor stopped', () => {
  const ns = useTestNamespace('e2e');
  let dirs: DataDirs;
  beforeEach(async () => {
    dirs = await DataDirs.create();
  });
  afterEach(() => dirs.dispose());

  it('waits as NO_WORKER_AVAILABLE at step 2 and completes when an extractor starts again', async () => {
    const manager = await startTestManager(ns());
    await startMover(ns(), manager, dirs.roots);
    const extractor = await startExtractor(ns(), manager, dirs.roots);
    await extractor.stop(); // graceful: it unregisters, so the manager knows at once
    await waitFor(() => !manager.app.get(WorkerCatalogue).isAvailable(METADATA_EXTRACTOR_TYPE), {
      what: 'the extractor gone',
    });
    const events = await collectEvents(ns());
    const products = await Promise.all([dirs.geoTiff(1), dirs.geoJson(2), dirs.geoTiff(3)]);
    const ids = products.map((product) => `waiting-${product.name}`);

    products.forEach((product, index) =>
      submitIngest(ns(), ids[index]!, { source: product.source, destination: product.destination }),
    );
    const delayed = await events.waitFor(3, inState('DELAYED'), 30_000, 'three DELAYED');

    // Step 1 ran (the files are stored); step 2 waits for its worker.
    expect(delayed.map((message) => header(message, HEADERS.step))).toEqual([1, 1, 1]);
    for (const product of products) {
      expect(existsSync(product.source)).toBe(false);
      expect(await sha256Of(product.destination)).toBe(product.sha256);
    }
    for (const id of ids) {
      expect(await requests(manager).find(id)).toMatchObject({
        state: 'NO_WORKER_AVAILABLE',
        step: 1,
        workerType: METADATA_EXTRACTOR_TYPE,
      });
    }
    expect(events.matching(inState('SUCCESS'))).toEqual([]);

    await startExtractor(ns(), manager, dirs.roots);
    const successes = await events.waitFor(3, inState('SUCCESS'), 30_000, 'three SUCCESS');

    expect(new Set(successes.map((message) => header(message, HEADERS.requestId)))).toEqual(
      new Set(ids),
    );
    for (const [index, product] of products.entries()) {
      const success = events.matching(eventOf(ids[index]!, 'SUCCESS'))[0]!;
      const feature = JSON.parse(success.content.toString('utf8')) as ProductFeature;
      expect(feature.bbox).toEqual(product.bbox);
      expect(await requests(manager).find(ids[index]!)).toBeNull();
    }
  });
});
