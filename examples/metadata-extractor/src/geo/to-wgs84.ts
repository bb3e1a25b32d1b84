import { type Bbox, type Geometry, type Position } from './geometry';

type Projection = (x: number, y: number) => [number, number];

const WGS84_A = 6378137;
const WGS84_F = 1 / 298.257223563;
const UTM_K0 = 0.9996;
const DEG = 180 / Math.PI;

/** EPSG:3857 (Web Mercator) to longitude/latitude. */
function fromWebMercator(x: number, y: number): [number, number] {
  return [(x / WGS84_A) * DEG, (2 * Math.atan(Math.exp(y / WGS84_A)) - Math.PI / 2) * DEG];
}

/** UTM (WGS84 datum) to longitude/latitude: Snyder's inverse series, well under a metre inside a zone. */
function fromUtm(zone: number, south: boolean): Projection {
  const e2 = WGS84_F * (2 - WGS84_F);
  const ep2 = e2 / (1 - e2);
  const e1 = (1 - Math.sqrt(1 - e2)) / (1 + Math.sqrt(1 - e2));
  const lon0 = ((zone - 1) * 6 - 180 + 3) / DEG;
  return (x, y) => {
    const m = (south ? y - 10_000_000 : y) / UTM_K0;
    const mu = m / (WGS84_A * (1 - e2 / 4 - (3 * e2 ** 2) / 64 - (5 * e2 ** 3) / 256));
    const phi1 =
      mu +
      ((3 * e1) / 2 - (27 * e1 ** 3) / 32) * Math.sin(2 * mu) +
      ((21 * e1 ** 2) / 16 - (55 * e1 ** 4) / 32) * Math.sin(4 * mu) +
      ((151 * e1 ** 3) / 96) * Math.sin(6 * mu) +
      ((1097 * e1 ** 4) / 512) * Math.sin(8 * mu);
    const sin1 = Math.sin(phi1);
    const cos1 = Math.cos(phi1);
    const t1 = Math.tan(phi1) ** 2;
    const c1 = ep2 * cos1 ** 2;
    const n1 = WGS84_A / Math.sqrt(1 - e2 * sin1 ** 2);
    const r1 = (WGS84_A * (1 - e2)) / (1 - e2 * sin1 ** 2) ** 1.5;
    const d = (x - 500_000) / (n1 * UTM_K0);
    const lat =
      phi1 -
      ((n1 * Math.tan(phi1)) / r1) *
        (d ** 2 / 2 -
          ((5 + 3 * t1 + 10 * c1 - 4 * c1 ** 2 - 9 * ep2) * d ** 4) / 24 +
          ((61 + 90 * t1 + 298 * c1 + 45 * t1 ** 2 - 252 * ep2 - 3 * c1 ** 2) * d ** 6) / 720);
    const lon =
      lon0 +
      (d -
        ((1 + 2 * t1 + c1) * d ** 3) / 6 +
        ((5 - 2 * c1 + 28 * t1 - 3 * c1 ** 2 + 8 * ep2 + 24 * t1 ** 2) * d ** 5) / 120) /
        cos1;
    return [lon * DEG, lat * DEG];
  };
}

/**
 * A projection to WGS84 longitude/latitude for the CRSs the extractor understands without a
 * projection library: EPSG:4326, EPSG:3857 and the WGS84 UTM zones (326xx north, 327xx south).
 * `undefined` for others; their geometry is then reported in the native CRS.
 */
export function projectionToWgs84(epsg: number | undefined): Projection | undefined {
  if (epsg === 4326) return (x, y) => [x, y];
  if (epsg === 3857 || epsg === 900913) return fromWebMercator;
  if (epsg !== undefined && epsg >= 32601 && epsg <= 32660) return fromUtm(epsg - 32600, false);
  if (epsg !== undefined && epsg >= 32701 && epsg <= 32760) return fromUtm(epsg - 32700, true);
  return undefined;
}

const round = (value: number): number => Math.round(value * 1e9) / 1e9;

/** The native bbox's four corners projected: a polygon (not axis-aligned in general) and its envelope. */
export function bboxToWgs84(bbox: Bbox, project: Projection): { geometry: Geometry; bbox: Bbox } {
  const [minX, minY, maxX, maxY] = bbox;
  const ring: Position[] = [
    [minX, minY],
    [maxX, minY],
    [maxX, maxY],
    [minX, maxY],
  ].map(([x, y]) => project(x!, y!).map(round) as Position);
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  return {
    geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]!]] },
    bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)],
  };
}
