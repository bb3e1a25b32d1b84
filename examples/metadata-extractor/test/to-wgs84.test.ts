import { projectionToWgs84 } from '../src/geo/to-wgs84';

describe('projectionToWgs84', () => {
  it('inverts UTM: the central meridian at the equator, and a known point', () => {
    const utm31n = projectionToWgs84(32631)!;
    const [lon0, lat0] = utm31n(500_000, 0);
    expect(lon0).toBeCloseTo(3, 9);
    expect(lat0).toBeCloseTo(0, 9);
    const [lon, lat] = utm31n(448_252, 5_411_933); // Eiffel Tower
    expect(lon).toBeCloseTo(2.2945, 3);
    expect(lat).toBeCloseTo(48.8583, 3);
  });

  it('inverts UTM south zones', () => {
    const [lon, lat] = projectionToWgs84(32723)!(500_000, 10_000_000 - 1_106_000);
    expect(lon).toBeCloseTo(-45, 6);
    expect(lat).toBeCloseTo(-10, 1);
  });

  it('inverts Web Mercator', () => {
    const mercator = projectionToWgs84(3857)!;
    expect(mercator(0, 0)).toEqual([0, 0]);
    expect(mercator(20_037_508.342789244, 0)[0]).toBeCloseTo(180, 9);
  });

  it('knows what it does not know', () => {
    expect(projectionToWgs84(3035)).toBeUndefined();
    expect(projectionToWgs84(undefined)).toBeUndefined();
  });
});
