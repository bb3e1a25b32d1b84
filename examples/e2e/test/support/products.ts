import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bboxPolygon,
  expectedBbox,
  makeGeoTiff,
  type GeoTiffSpec,
} from '@org/example-metadata-extractor';

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256Of(path: string): Promise<string> {
  return sha256(await readFile(path));
}

/** A product file written for a test, with what the extractor must find in it. */
export interface Product {
  readonly name: string;
  readonly source: string;
  readonly destination: string;
  readonly sha256: string;
  readonly size: number;
  readonly format: 'GeoTIFF' | 'GeoJSON';
  readonly bbox: [number, number, number, number];
}

/** Temp directories for one test: `incoming/` and `store/` (the workers' roots) and `outside/`. */
export class DataDirs {
  private constructor(readonly base: string) {}

  static async create(): Promise<DataDirs> {
    const base = realpathSync(await mkdtemp(join(tmpdir(), 'examples-e2e-')));
    const dirs = new DataDirs(base);
    await Promise.all([mkdir(dirs.incoming), mkdir(dirs.store), mkdir(dirs.outside)]);
    return dirs;
  }

  get incoming(): string {
    return join(this.base, 'incoming');
  }
  get store(): string {
    return join(this.base, 'store');
  }
  get outside(): string {
    return join(this.base, 'outside');
  }
  /** What both workers may touch. */
  get roots(): string[] {
    return [this.incoming, this.store];
  }

  dispose(): Promise<void> {
    return rm(this.base, { recursive: true, force: true });
  }

  async write(
    name: string,
    content: Buffer | string,
    format: Product['format'],
    bbox: Product['bbox'],
  ): Promise<Product> {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const source = join(this.incoming, name);
    await writeFile(source, bytes);
    return {
      name,
      source,
      destination: join(this.store, name),
      sha256: sha256(bytes),
      size: bytes.length,
      format,
      bbox,
    };
  }

  /** A GeoTIFF (EPSG:4326, exact binary fractions so the bbox compares exactly) numbered `index`. */
  geoTiff(index: number, spec: GeoTiffSpec = {}): Promise<Product> {
    const full: GeoTiffSpec = {
      width: 8 + (index % 5),
      height: 6 + (index % 3),
      origin: [-170 + (index % 300), 80 - (index % 150) / 2],
      pixelSize: [0.25, 0.125],
      epsg: 4326,
      dateTime: '2024:03:04 05:06:07',
      ...spec,
    };
    return this.write(`scene-${index}.tif`, makeGeoTiff(full), 'GeoTIFF', expectedBbox(full));
  }

  /** A GeoJSON Feature with a rectangle whose bbox is known, numbered `index`. */
  geoJson(index: number): Promise<Product> {
    const [west, south] = [-60 + (index % 100), -30 + (index % 50)];
    const bbox: Product['bbox'] = [west, south, west + 1.5, south + 0.75];
    const document = {
      type: 'Feature',
      properties: { id: `item-${index}`, datetime: '2024-02-03T04:05:06Z' },
      geometry: bboxPolygon(bbox),
    };
    return this.write(`item-${index}.geojson`, JSON.stringify(document), 'GeoJSON', bbox);
  }
}
