import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEADERS } from '@org/protocol';
import { collectEvents, eventOf, header, useTestNamespace } from '@org/testkit';
import { expectedBbox, makeGeoTiff, type ProductFeature } from '@org/example-metadata-extractor';
import { DataDirs, sha256, sha256Of } from './support/products';
import {
  requests,
  RunCounter,
  startExtractor,
  startMover,
  startTestManager,
  submitIngest,
} from './support/system';

describe('product/ingest failure paths end to end', () => {
  const ns = useTestNamespace('e2e');
  let dirs: DataDirs;
  beforeEach(async () => {
    dirs = await DataDirs.create();
  });
  afterEach(() => dirs.dispose());

  it('a corrupt file is INVALID_CONTENT at step 2 and kept; replaced and retried, it succeeds from step 2 without moving again', async () => {
    const manager = await startTestManager(ns());
    const mover = new RunCounter();
    const extractor = new RunCounter();
    await startMover(ns(), manager, dirs.roots, { counter: mover });
    await startExtractor(ns(), manager, dirs.roots, extractor);
    const events = await collectEvents(ns());
    const good = makeGeoTiff({ width: 64, height: 64 });
    const corrupt = good.subarray(0, good.length - 4000); // TIFF magic, strips cut off
    const source = join(dirs.incoming, 'cut.tif');
    const destination = join(dirs.store, 'cut.tif');
    await writeFile(source, corrupt);

    submitIngest(ns(), 'corrupt', { source, destination });
    const refused = await events.first(eventOf('corrupt', 'INVALID_CONTENT'), 30_000);

    expect(header(refused, HEADERS.step)).toBe(1);
    expect(String(header(refused, HEADERS.messages))).toMatch(/corrupt GeoTIFF/);
    const kept = await requests(manager).find('corrupt');
    expect(kept).toMatchObject({ state: 'INVALID_CONTENT', step: 1 });
    // Step 1 did its job: the corrupt bytes were moved, intact.
    expect(existsSync(source)).toBe(false);
    expect(await sha256Of(destination)).toBe(sha256(corrupt));
    expect(mover.of('corrupt')).toBe(1);

    // The operator puts a good file where the product is stored and retries the request.
    await writeFile(destination, good);
    await requests(manager).retry('corrupt');
    const success = await events.first(eventOf('corrupt', 'SUCCESS'), 30_000);

    const feature = JSON.parse(success.content.toString('utf8')) as ProductFeature;
    expect(feature.id).toBe(sha256(good));
    expect(feature.bbox).toEqual(expectedBbox({ width: 64, height: 64 }));
    expect(feature.properties.changedSinceStored).toEqual({
      size: corrupt.length,
      sha256: sha256(corrupt),
    });
    // Restarted at step 2 (index 1) and never at step 1: the mover did not run again.
    // (A step 2 job answered before its DISPATCHED record has no GRANTED: its outcome ends the
    // request and stands for it, lean events. One that took longer has one: not counted.)
    const seen = events
      .matching(eventOf('corrupt'))
      .map((message) => [header(message, HEADERS.state), header(message, HEADERS.step)])
      .filter(([state, step]) => state !== 'PROGRESS' && !(state === 'GRANTED' && step === 1));
    expect(seen).toEqual([
      ['GRANTED', 0],
      ['INVALID_CONTENT', 1],
      ['SUCCESS', 1],
    ]);
    expect(mover.of('corrupt')).toBe(1);
    expect(extractor.of('corrupt')).toBe(2);
    expect(await requests(manager).find('corrupt')).toBeNull();
  });

  it('a missing source is ERROR at step 1, kept, and nothing is written', async () => {
    const manager = await startTestManager(ns());
    const extractor = new RunCounter();
    await startMover(ns(), manager, dirs.roots);
    await startExtractor(ns(), manager, dirs.roots, extractor);
    const events = await collectEvents(ns());
    const destination = join(dirs.store, 'never.tif');

    submitIngest(ns(), 'missing', { source: join(dirs.incoming, 'never.tif'), destination });
    const error = await events.first(eventOf('missing', 'ERROR'), 30_000);

    expect(header(error, HEADERS.step)).toBe(0);
    expect(String(header(error, HEADERS.messages))).toMatch(/source does not exist/);
    expect(await requests(manager).find('missing')).toMatchObject({ state: 'ERROR', step: 0 });
    expect(existsSync(destination)).toBe(false);
    expect(extractor.of('missing')).toBe(0);
  });

  it('a traversal attempt is INVALID_CONTENT and the file outside the roots is untouched', async () => {
    const manager = await startTestManager(ns());
    await startMover(ns(), manager, dirs.roots);
    await startExtractor(ns(), manager, dirs.roots);
    const events = await collectEvents(ns());
    const secret = join(dirs.outside, 'secret.tif');
    await writeFile(secret, 'not yours');

    // `incoming/../outside/secret.tif`: inside the roots as a string, outside once resolved.
    submitIngest(ns(), 'escape', {
      source: `${dirs.incoming}/../outside/secret.tif`,
      destination: join(dirs.store, 'secret.tif'),
    });
    submitIngest(ns(), 'escape-out', {
      source: join(dirs.incoming, 'x.tif'),
      destination: `${dirs.store}/../outside/stolen.tif`,
    });
    const refused = await events.first(eventOf('escape', 'INVALID_CONTENT'), 30_000);
    const refusedOut = await events.first(eventOf('escape-out', 'INVALID_CONTENT'), 30_000);

    expect(header(refused, HEADERS.step)).toBe(0);
    expect(String(header(refused, HEADERS.messages))).toMatch(/\.\./);
    expect(header(refusedOut, HEADERS.step)).toBe(0);
    expect(existsSync(secret)).toBe(true);
    expect(existsSync(join(dirs.store, 'secret.tif'))).toBe(false);
    expect(existsSync(join(dirs.outside, 'stolen.tif'))).toBe(false);
    expect(await requests(manager).find('escape')).toMatchObject({
      state: 'INVALID_CONTENT',
      step: 0,
    });
  });
});
