import { readFile } from 'node:fs/promises';
import { InvalidContentError } from '@org/worker-sdk';
import {
  type Bbox,
  bboxOf,
  bboxPolygon,
  type Geometry,
  isLonLat,
  parseGeometry,
} from '../geo/geometry';
import { type FormatDescription } from '../product-feature';
import { JSON_TIME_KEYS, normalizeTime } from './acquisition-time';

const GEOMETRY_TYPES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseBbox(value: unknown): Bbox {
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    !value.every((n) => typeof n === 'number' && Number.isFinite(n))
  ) {
    throw new InvalidContentError('bbox: expected [minX, minY, maxX, maxY] of finite numbers');
  }
  const bbox = value as Bbox;
  if (bbox[0] > bbox[2] || bbox[1] > bbox[3])
    throw new InvalidContentError('bbox: min values exceed max values');
  return bbox;
}

function acquisitionTimeIn(properties: Record<string, unknown>): string | undefined {
  for (const key of JSON_TIME_KEYS) {
    const found = normalizeTime(properties[key]);
    if (found) return found;
  }
  return undefined;
}

interface Found {
  readonly geometry: Geometry;
  readonly bbox: Bbox;
  readonly geojson: boolean;
  readonly properties: Record<string, unknown>;
}

function fromDocument(document: Record<string, unknown>): Found {
  const { type } = document;
  if (type === 'Feature') {
    if (document.geometry === null)
      throw new InvalidContentError('GeoJSON Feature has no geometry');
    const geometry = parseGeometry(document.geometry);
    const attributes = isRecord(document.properties) ? document.properties : {};
    return {
      geometry,
      bbox: bboxOrRefuse([geometry]),
      geojson: true,
      properties: { attributes, ...timeOf(attributes) },
    };
  }
  if (type === 'FeatureCollection') {
    if (!Array.isArray(document.features))
      throw new InvalidContentError('FeatureCollection has no "features" array');
    const geometries = document.features.flatMap((feature: unknown, index) => {
      if (!isRecord(feature) || feature.type !== 'Feature') {
        throw new InvalidContentError(`features[${index}]: expected a GeoJSON Feature`);
      }
      return feature.geometry === null
        ? []
        : [parseGeometry(feature.geometry, `features[${index}].geometry`)];
    });
    const bbox = bboxOrRefuse(geometries);
    // A collection is summarized by its extent; the features themselves stay in the file.
    return {
      geometry: bboxPolygon(bbox),
      bbox,
      geojson: true,
      properties: { featureCount: document.features.length },
    };
  }
  if (typeof type === 'string' && GEOMETRY_TYPES.has(type)) {
    const geometry = parseGeometry(document, 'document');
    return { geometry, bbox: bboxOrRefuse([geometry]), geojson: true, properties: {} };
  }
  // A plain JSON product (e.g. a STAC-like item without "type"): its geometry or its bbox.
  const attributes = isRecord(document.properties) ? document.properties : document;
  if (document.geometry !== undefined && document.geometry !== null) {
    const geometry = parseGeometry(document.geometry);
    return {
      geometry,
      bbox: bboxOrRefuse([geometry]),
      geojson: false,
      properties: { ...timeOf(attributes) },
    };
  }
  if (document.bbox !== undefined) {
    const bbox = parseBbox(document.bbox);
    return {
      geometry: bboxPolygon(bbox),
      bbox,
      geojson: false,
      properties: { ...timeOf(attributes) },
    };
  }
  throw new InvalidContentError(
    'JSON product has neither a GeoJSON type, a "geometry" nor a "bbox"',
  );
}

function timeOf(properties: Record<string, unknown>): { acquisitionTime?: string } {
  const acquisitionTime = acquisitionTimeIn(properties);
  return acquisitionTime ? { acquisitionTime } : {};
}

function bboxOrRefuse(geometries: readonly Geometry[]): Bbox {
  const bbox = bboxOf(geometries);
  if (!bbox) throw new InvalidContentError('the document has no coordinates');
  return bbox;
}

/**
 * Reads a GeoJSON (RFC 7946: coordinates are WGS84 longitude/latitude) or JSON product, whole,
 * after checking it is under `maxBytes`: geometry from the document (a FeatureCollection by its
 * extent), bbox, acquisition time from the usual property names.
 */
export async function describeJson(
  path: string,
  size: number,
  maxBytes: number,
): Promise<FormatDescription> {
  if (size > maxBytes) {
    throw new InvalidContentError(
      `JSON product is ${size} bytes, over the ${maxBytes}-byte limit of this extractor`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InvalidContentError(`corrupt JSON: ${(error as Error).message}`);
  }
  if (!isRecord(document)) throw new InvalidContentError('JSON product must be an object');
  const found = fromDocument(document);
  if (!isLonLat(found.bbox)) {
    throw new InvalidContentError(
      `coordinates are not WGS84 longitude/latitude (bbox ${JSON.stringify(found.bbox)}); GeoJSON requires EPSG:4326`,
    );
  }
  return {
    format: found.geojson ? 'GeoJSON' : 'JSON',
    mimeType: found.geojson ? 'application/geo+json' : 'application/json',
    geometry: found.geometry,
    bbox: found.bbox,
    crs: 'EPSG:4326',
    properties: found.properties,
  };
}
