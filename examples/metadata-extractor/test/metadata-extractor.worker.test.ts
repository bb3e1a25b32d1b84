import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '@org/worker-sdk/testing';
import { expectedBbox, makeGeoTiff } from '../src/fixtures/make-geotiff';
import { DESCRIBED_CONTENT_TYPE, metadataExtractorWorker } from '../src/metadata-extractor.worker';
import { type ProductFeature } from '../src/product-feature';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('metadata-extractor worker (through the SDK test harness)', () => {
  let base: string;
  let root: string;
  beforeEach(async () => {
    base = realpathSync(await mkdtemp(join(tmpdir(), 'metadata-extractor-')));
    root = join(base, 'store');
    await mkdir(root);
    await mkdir(join(base, 'outside'));
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  const worker = () =>
    metadataExtractorWorker({ config: { roots: [root], maxJsonBytes: 1024 * 1024 } });

  async function put(name: string, content: Buffer | string): Promise<string> {
    const path = join(root, name);
    await writeFile(path, content);
    return path;
  }

  async function extract(json: unknown) {
    return runJob(worker(), { json });
  }

  describe('GeoTIFF', () => {
    it('describes a WGS84 GeoTIFF: exact bbox polygon, CRS, size, bands, acquisition time', async () => {
      const spec = {
        width: 40,
        height: 20,
        bands: 3,
        origin: [12.5, 47.25] as const,
        pixelSize: [0.01, 0.02] as const,
      };
      const bytes = makeGeoTiff({ ...spec, epsg: 4326, dateTime: '2024:06:01 10:20:30' });
      const location = await put('scene.tif', bytes);
      const [minX, minY, maxX, maxY] = expectedBbox(spec);

      const run = await extract({ location });

      expect(run.messages).toEqual([]);
      expect(run.status).toBe('SUCCESS');
      expect(run.contentType).toBe(DESCRIBED_CONTENT_TYPE);
      expect(run.mimeType).toBe('application/geo+json');
      const feature = run.json<ProductFeature>();
      expect(feature).toEqual({
        type: 'Feature',
        id: sha256(bytes),
        bbox: [minX, minY, maxX, maxY],
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [minX, minY],
              [maxX, minY],
              [maxX, maxY],
              [minX, maxY],
              [minX, minY],
            ],
          ],
        },
        properties: {
          location,
          size: bytes.length,
          sha256: sha256(bytes),
          mimeType: 'image/tiff; application=geotiff',
          format: 'GeoTIFF',
          crs: 'EPSG:4326',
          nativeCrs: 'EPSG:4326',
          nativeBbox: [minX, minY, maxX, maxY],
          width: 40,
          height: 20,
          bands: 3,
          dataType: 'uint16',
          resolution: [0.01, 0.02],
          acquisitionTime: '2024-06-01T10:20:30.000Z',
        },
      });
    });

    it('converts a UTM GeoTIFF to WGS84 and keeps the native bbox', async () => {
      // Around the Eiffel Tower: 31U 448252 E 5411933 N is 48.8583 N, 2.2945 E.
      const spec = {
        width: 10,
        height: 10,
        origin: [448202, 5411983] as const,
        pixelSize: [10, 10] as const,
      };
      const location = await put('utm.tif', makeGeoTiff({ ...spec, epsg: 32631 }));

      const feature = (await extract({ location })).json<ProductFeature>();

      expect(feature.properties).toMatchObject({
        crs: 'EPSG:4326',
        nativeCrs: 'EPSG:32631',
        nativeBbox: expectedBbox(spec),
      });
      const [west, south, east, north] = feature.bbox;
      expect((west + east) / 2).toBeCloseTo(2.2945, 3);
      expect((south + north) / 2).toBeCloseTo(48.8583, 3);
    });

    it('keeps the native CRS for a CRS it cannot convert', async () => {
      const spec = { origin: [3_500_000, 2_800_000] as const, pixelSize: [100, 100] as const };
      const location = await put('laea.tif', makeGeoTiff({ ...spec, epsg: 3035 }));

      const feature = (await extract({ location })).json<ProductFeature>();

      expect(feature.bbox).toEqual(expectedBbox(spec));
      expect(feature.properties.crs).toBe('EPSG:3035');
    });

    it('refuses a truncated GeoTIFF as INVALID_CONTENT', async () => {
      const bytes = makeGeoTiff({ width: 64, height: 64 });
      const location = await put('cut.tif', bytes.subarray(0, bytes.length - 4000));
      const run = await extract({ location });
      expect(run.status).toBe('INVALID_CONTENT');
      expect(run.messages[0]).toMatch(/corrupt GeoTIFF/);
    });

    it('refuses a TIFF header with garbage behind it', async () => {
      const location = await put(
        'junk.tif',
        Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00]), Buffer.alloc(64, 0xff)]),
      );
      const run = await extract({ location });
      expect(run.status).toBe('INVALID_CONTENT');
      expect(run.messages[0]).toMatch(/GeoTIFF/);
    });
  });

  describe('GeoJSON and JSON', () => {
    it('describes a GeoJSON Feature with its geometry, attributes and datetime', async () => {
      const geometry = {
        type: 'Polygon',
        coordinates: [
          [
            [1, 2],
            [3, 2],
            [3, 5],
            [1, 5],
            [1, 2],
          ],
        ],
      };
      const document = {
        type: 'Feature',
        geometry,
        properties: { id: 'S2A_1', datetime: '2024-02-03T04:05:06Z' },
      };
      const location = await put('item.geojson', JSON.stringify(document));

      const feature = (await extract({ location })).json<ProductFeature>();

      expect(feature.geometry).toEqual(geometry);
      expect(feature.bbox).toEqual([1, 2, 3, 5]);
      expect(feature.properties).toMatchObject({
        format: 'GeoJSON',
        mimeType: 'application/geo+json',
        crs: 'EPSG:4326',
        attributes: { id: 'S2A_1' },
        acquisitionTime: '2024-02-03T04:05:06.000Z',
      });
    });

    it('summarizes a FeatureCollection by its extent', async () => {
      const point = (x: number, y: number) => ({
        type: 'Feature',
        properties: {},
        geometry: { type: 'Point', coordinates: [x, y] },
      });
      const location = await put(
        'many.json',
        JSON.stringify({ type: 'FeatureCollection', features: [point(-5, 40), point(8, 52)] }),
      );

      const feature = (await extract({ location })).json<ProductFeature>();

      expect(feature.bbox).toEqual([-5, 40, 8, 52]);
      expect(feature.geometry.type).toBe('Polygon');
      expect(feature.properties.featureCount).toBe(2);
    });

    it('describes a plain JSON product by its bbox', async () => {
      const location = await put(
        'product.json',
        JSON.stringify({ id: 'p1', bbox: [10, 20, 11, 21], acquired: '2020:01:02 03:04:05' }),
      );
      const feature = (await extract({ location })).json<ProductFeature>();
      expect(feature.bbox).toEqual([10, 20, 11, 21]);
      expect(feature.properties).toMatchObject({
        format: 'JSON',
        mimeType: 'application/json',
        acquisitionTime: '2020-01-02T03:04:05.000Z',
      });
    });

    it.each([
      ['broken JSON', '{"type": "Feature", ', /corrupt JSON/],
      ['JSON without geometry or bbox', '{"id": 1}', /neither/],
      [
        'an open polygon ring',
        JSON.stringify({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        }),
        /ring/,
      ],
      [
        'a non-numeric coordinate',
        JSON.stringify({ type: 'Point', coordinates: [1, 'x'] }),
        /finite numbers/,
      ],
      [
        'projected coordinates',
        JSON.stringify({ type: 'Point', coordinates: [448000, 5411000] }),
        /WGS84/,
      ],
    ])('refuses %s as INVALID_CONTENT', async (_what, content, reason) => {
      const location = await put('bad.json', content);
      const run = await extract({ location });
      expect(run.status).toBe('INVALID_CONTENT');
      expect(run.messages[0]).toMatch(reason);
    });
  });

  describe('files in general', () => {
    it("accepts the file mover's output as its job and reports a file changed since it was stored", async () => {
      const bytes = makeGeoTiff();
      const location = await put('moved.tif', bytes);

      const ok = await extract({
        location,
        size: bytes.length,
        sha256: sha256(bytes),
        files: undefined,
      });
      const changed = await extract({
        location,
        size: bytes.length,
        sha256: sha256('other bytes'),
      });

      expect(ok.status).toBe('SUCCESS');
      expect(ok.json<ProductFeature>().properties).not.toHaveProperty('changedSinceStored');
      // A replaced product (an operator fixed it and retried the step) is described as it is now.
      expect(changed.status).toBe('SUCCESS');
      expect(changed.json<ProductFeature>().id).toBe(sha256(bytes));
      expect(changed.json<ProductFeature>().properties.changedSinceStored).toEqual({
        size: bytes.length,
        sha256: sha256('other bytes'),
      });
    });

    it.each([
      ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), /PNG image/],
      ['random bytes', Buffer.from('not a product at all'), /unrecognized data/],
      ['an empty file', Buffer.alloc(0), /empty file/],
    ])('refuses %s as INVALID_CONTENT naming what it is', async (_what, content, reason) => {
      const location = await put('unknown.bin', content);
      const run = await extract({ location });
      expect(run.status).toBe('INVALID_CONTENT');
      expect(run.messages[0]).toMatch(reason);
    });

    it('answers a missing file with a retryable ERROR', async () => {
      const run = await extract({ location: join(root, 'missing.tif') });
      expect(run.status).toBe('ERROR');
      expect(run.retryable).toBe(true);
    });

    it('refuses locations outside its roots or spelled with ".."', async () => {
      await writeFile(join(base, 'outside', 'secret.json'), '{"bbox":[0,0,1,1]}');
      for (const location of [
        join(base, 'outside', 'secret.json'),
        `${root}/../outside/secret.json`,
        'relative.json',
      ]) {
        const run = await extract({ location });
        expect(run.status).toBe('INVALID_CONTENT');
      }
    });

    it('refuses a job without a location', async () => {
      const run = await extract({ path: '/data/a.tif' });
      expect(run.status).toBe('INVALID_CONTENT');
      expect(run.messages.join(' ')).toMatch(/location/);
    });
  });
});
