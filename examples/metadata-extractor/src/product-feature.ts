import { type Bbox, type Geometry } from './geo/geometry';

/** Formats the extractor reads. */
export type ProductFormat = 'GeoTIFF' | 'GeoJSON' | 'JSON';

/** Facts about any file, whatever its format. */
export interface FileFacts {
  readonly location: string;
  readonly size: number;
  readonly sha256: string;
}

/** What a format reader found, before the generic facts are added. */
export interface FormatDescription {
  readonly format: ProductFormat;
  readonly mimeType: string;
  /** Geometry in WGS84 when the CRS could be converted, else in `crs`. */
  readonly geometry: Geometry;
  readonly bbox: Bbox;
  /** CRS of `geometry` and `bbox`, e.g. `EPSG:4326`. */
  readonly crs?: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * The output (`product/described`): a GeoJSON Feature whose properties hold the file facts
 * (`location`, `size`, `sha256`, `mimeType`, `format`, `crs`) and what the format reader found
 * (raster size, bands, acquisition time, the source document's attributes…).
 */
export interface ProductFeature {
  readonly type: 'Feature';
  /** The file's sha256: the same bytes always describe as the same feature. */
  readonly id: string;
  readonly bbox: Bbox;
  readonly geometry: Geometry;
  readonly properties: Readonly<Record<string, unknown>>;
}
