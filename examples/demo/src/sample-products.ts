import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bboxPolygon, writeGeoTiff, type GeoTiffSpec } from '@org/example-metadata-extractor';

/** One generated product and the file mover's job for it. */
export interface SampleProduct {
  readonly name: string;
  readonly source: string;
  readonly destination: string;
}

/** Small real GeoTIFFs (generated with the extractor's fixture writer) with known places. */
const GEOTIFFS: ReadonlyArray<{ name: string; spec: GeoTiffSpec }> = [
  {
    // Around the Eiffel Tower, UTM zone 31N, 10 m pixels.
    name: 'paris-utm31n.tif',
    spec: {
      width: 100,
      height: 50,
      epsg: 32631,
      origin: [448000, 5412000],
      pixelSize: [10, 10],
      dateTime: '2024:03:04 05:06:07',
    },
  },
  {
    // The Mont Blanc massif in plain longitude/latitude, three bands.
    name: 'mont-blanc-wgs84.tif',
    spec: {
      width: 64,
      height: 32,
      bands: 3,
      epsg: 4326,
      origin: [6.75, 45.95],
      pixelSize: [0.005, 0.005],
      dateTime: '2024:07:14 10:30:00',
    },
  },
  {
    // Lower Manhattan, UTM zone 18N, 30 m pixels.
    name: 'manhattan-utm18n.tif',
    spec: {
      width: 40,
      height: 60,
      epsg: 32618,
      origin: [580000, 4520000],
      pixelSize: [30, 30],
      dateTime: '2023:10:01 15:45:00',
    },
  },
];

const GEOJSONS: ReadonlyArray<{ name: string; document: unknown }> = [
  {
    name: 'vineyard-parcel.geojson',
    document: {
      type: 'Feature',
      properties: { parcel: 'BX-0042', crop: 'vineyard', datetime: '2024-09-12T08:00:00Z' },
      geometry: bboxPolygon([-0.58, 44.83, -0.57, 44.84]),
    },
  },
  {
    name: 'weather-stations.geojson',
    document: {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { station: 'Oslo' }, geometry: point(10.75, 59.91) },
        { type: 'Feature', properties: { station: 'Bergen' }, geometry: point(5.32, 60.39) },
        { type: 'Feature', properties: { station: 'Tromsø' }, geometry: point(18.96, 69.65) },
      ],
    },
  },
  {
    name: 'survey-area.json',
    document: {
      survey: 'coastal-2024',
      acquired: '2024-05-20T11:00:00Z',
      bbox: [-9.5, 38.6, -9.1, 38.8],
    },
  },
];

function point(longitude: number, latitude: number) {
  return { type: 'Point', coordinates: [longitude, latitude] };
}

/**
 * Writes the sample ingest under `dataDir`: the products in `incoming/`, to be moved to `store/`
 * by the `product/ingest` workflow.
 */
export async function writeSampleProducts(dataDir: string): Promise<SampleProduct[]> {
  const incoming = join(dataDir, 'incoming');
  const store = join(dataDir, 'store');
  await mkdir(incoming, { recursive: true });
  await mkdir(store, { recursive: true });
  const job = (name: string): SampleProduct => ({
    name,
    source: join(incoming, name),
    destination: join(store, name),
  });
  const products: SampleProduct[] = [];
  for (const { name, spec } of GEOTIFFS) {
    await writeGeoTiff(join(incoming, name), spec);
    products.push(job(name));
  }
  for (const { name, document } of GEOJSONS) {
    await writeFile(join(incoming, name), `${JSON.stringify(document, null, 2)}\n`);
    products.push(job(name));
  }
  return products;
}
