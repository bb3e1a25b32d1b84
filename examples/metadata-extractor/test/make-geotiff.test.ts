import { fromArrayBuffer } from 'geotiff';
import { expectedBbox, makeGeoTiff } from '../src/fixtures/make-geotiff';

describe('makeGeoTiff', () => {
  it('writes a GeoTIFF geotiff reads back with the bbox it promises', async () => {
    const bytes = makeGeoTiff({
      width: 4,
      height: 2,
      bands: 3,
      origin: [440000, 5000000],
      pixelSize: [30, 30],
      epsg: 32631,
    });
    const tiff = await fromArrayBuffer(new Uint8Array(bytes).buffer);
    const image = await tiff.getImage();
    expect(image.getBoundingBox()).toEqual(
      expectedBbox({ width: 4, height: 2, origin: [440000, 5000000], pixelSize: [30, 30] }),
    );
    expect(image.getSamplesPerPixel()).toBe(3);
    expect(image.getGeoKeys()).toMatchObject({ ProjectedCSTypeGeoKey: 32631 });
  });
});
