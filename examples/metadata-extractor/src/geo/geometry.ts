import { InvalidContentError } from '@org/worker-sdk';

export type Position = [number, number] | [number, number, number];
export type Bbox = [number, number, number, number];

export type Geometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'MultiPoint' | 'LineString'; coordinates: Position[] }
  | { type: 'MultiLineString' | 'Polygon'; coordinates: Position[][] }
  | { type: 'MultiPolygon'; coordinates: Position[][][] }
  | { type: 'GeometryCollection'; geometries: Geometry[] };

/** Nesting depth of `coordinates` per geometry type (0: one position). */
const DEPTH: Record<string, number> = {
  Point: 0,
  MultiPoint: 1,
  LineString: 1,
  MultiLineString: 2,
  Polygon: 2,
  MultiPolygon: 3,
};

function refuse(path: string, problem: string): never {
  throw new InvalidContentError(`${path}: ${problem}`);
}

function checkPosition(value: unknown, path: string): void {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3)
    refuse(path, 'a position must be [x, y] or [x, y, z]');
  if (!value.every((n) => typeof n === 'number' && Number.isFinite(n)))
    refuse(path, 'a position holds finite numbers only');
}

function checkCoordinates(value: unknown, depth: number, path: string): void {
  if (depth === 0) return checkPosition(value, path);
  if (!Array.isArray(value)) refuse(path, 'expected an array of coordinates');
  value.forEach((item, index) => checkCoordinates(item, depth - 1, `${path}[${index}]`));
}

function checkRings(rings: unknown[], path: string): void {
  rings.forEach((ring, index) => {
    const positions = ring as number[][];
    const first = positions[0];
    const last = positions[positions.length - 1];
    if (positions.length < 4 || !first || !last || first[0] !== last[0] || first[1] !== last[1]) {
      refuse(
        `${path}[${index}]`,
        'a polygon ring needs at least 4 positions, the last equal to the first',
      );
    }
  });
}

/** `value` as a GeoJSON geometry (RFC 7946 §3.1), or `InvalidContentError` naming the first problem and where. */
export function parseGeometry(value: unknown, path = 'geometry'): Geometry {
  if (typeof value !== 'object' || value === null)
    refuse(path, 'expected a GeoJSON geometry object');
  const { type, coordinates, geometries } = value as Record<string, unknown>;
  if (type === 'GeometryCollection') {
    if (!Array.isArray(geometries)) refuse(path, 'a GeometryCollection needs a "geometries" array');
    return {
      type,
      geometries: geometries.map((g, index) => parseGeometry(g, `${path}.geometries[${index}]`)),
    };
  }
  const depth = typeof type === 'string' ? DEPTH[type] : undefined;
  if (depth === undefined) refuse(path, `unknown geometry type ${JSON.stringify(type)}`);
  checkCoordinates(coordinates, depth, `${path}.coordinates`);
  if (type === 'Polygon') checkRings(coordinates as unknown[], `${path}.coordinates`);
  if (type === 'MultiPolygon') {
    (coordinates as unknown[][]).forEach((polygon, index) =>
      checkRings(polygon, `${path}.coordinates[${index}]`),
    );
  }
  return value as Geometry;
}

function* positionsOf(geometry: Geometry): Generator<Position> {
  if (geometry.type === 'GeometryCollection') {
    for (const child of geometry.geometries) yield* positionsOf(child);
    return;
  }
  const stack: unknown[] = [geometry.coordinates];
  while (stack.length > 0) {
    const item = stack.pop() as unknown[];
    if (typeof item[0] === 'number') yield item as Position;
    else stack.push(...item);
  }
}

/** `[minX, minY, maxX, maxY]` of every position, or `undefined` for an empty geometry. */
export function bboxOf(geometries: readonly Geometry[]): Bbox | undefined {
  let bbox: Bbox | undefined;
  for (const geometry of geometries) {
    for (const [x, y] of positionsOf(geometry)) {
      bbox = bbox
        ? [Math.min(bbox[0], x), Math.min(bbox[1], y), Math.max(bbox[2], x), Math.max(bbox[3], y)]
        : [x, y, x, y];
    }
  }
  return bbox;
}

/** The bbox as a closed, counter-clockwise polygon (RFC 7946 winding). */
export function bboxPolygon([minX, minY, maxX, maxY]: Bbox): Geometry {
  return {
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
  };
}

/** Whether every position is a plausible WGS84 longitude/latitude. */
export function isLonLat(bbox: Bbox): boolean {
  return bbox[0] >= -180 && bbox[2] <= 180 && bbox[1] >= -90 && bbox[3] <= 90;
}
