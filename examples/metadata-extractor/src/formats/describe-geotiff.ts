import { InvalidContentError } from '@org/worker-sdk';
import { fromFile, type GeoTIFFImage } from 'geotiff';
import { type Bbox, bboxPolygon } from '../geo/geometry';
import { bboxToWgs84, projectionToWgs84 } from '../geo/to-wgs84';
import { type FormatDescription } from '../product-feature';
import { acquisitionTimeOf } from './acquisition-time';

const USER_DEFINED = 32767;
const SAMPLE_FORMATS: Record<number, string> = { 1: 'uint', 2: 'int', 3: 'float' };

function epsgOf(image: GeoTIFFImage): number | undefined {
  const keys = (image.getGeoKeys() ?? {}) as Record<string, unknown>;
  for (const key of ['ProjectedCSTypeGeoKey', 'GeographicTypeGeoKey']) {
    const code = keys[key];
    if (typeof code === 'number' && code > 0 && code !== USER_DEFINED) return code;
  }
  return undefined;
}

async function tagValue(
  image: GeoTIFFImage,
  name: 'DateTimeOriginal' | 'DateTime',
): Promise<unknown> {
  const directory = image.getFileDirectory();
  return directory.hasTag(name) ? directory.loadValue(name) : undefined;
}

/** A truncated file keeps its header: check that every strip or tile lies within the file. */
async function checkDataWithinFile(image: GeoTIFFImage, fileSize: number): Promise<void> {
  const directory = image.getFileDirectory();
  const tiled = directory.hasTag('TileOffsets');
  const offsets = (await directory.loadValue(tiled ? 'TileOffsets' : 'StripOffsets')) as
    ArrayLike<number> | undefined;
  const counts = (await directory.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts')) as
    ArrayLike<number> | undefined;
  if (!offsets || !counts || offsets.length !== counts.length) {
    throw new InvalidContentError(
      'corrupt GeoTIFF: image data offsets and byte counts are missing or inconsistent',
    );
  }
  for (let index = 0; index < offsets.length; index += 1) {
    if (Number(offsets[index]) + Number(counts[index]) > fileSize) {
      throw new InvalidContentError(
        `corrupt GeoTIFF: image data ends past the end of the file (${fileSize} bytes); truncated?`,
      );
    }
  }
}

function dataTypeOf(image: GeoTIFFImage): string {
  const format = SAMPLE_FORMATS[image.getSampleFormat(0)] ?? 'unknown';
  return `${format}${image.getBitsPerSample(0)}`;
}

/**
 * Reads a GeoTIFF's first image through geotiff (ranged reads: the raster is never loaded):
 * bbox → polygon (in WGS84 when the CRS converts, else native), CRS, size, bands, data type,
 * resolution, acquisition time.
 */
export async function describeGeoTiff(
  path: string,
  fileSize: number,
  signal?: AbortSignal,
): Promise<FormatDescription> {
  let tiff;
  try {
    tiff = await fromFile(path, signal);
  } catch (error) {
    throw new InvalidContentError(`corrupt GeoTIFF: ${(error as Error).message}`);
  }
  try {
    let image: GeoTIFFImage;
    let nativeBbox: Bbox;
    try {
      image = await tiff.getImage(0);
      await checkDataWithinFile(image, fileSize);
      nativeBbox = image.getBoundingBox() as Bbox;
    } catch (error) {
      if (error instanceof InvalidContentError) throw error;
      throw new InvalidContentError(
        `corrupt or not georeferenced GeoTIFF: ${(error as Error).message}`,
      );
    }
    if (
      !nativeBbox.every(Number.isFinite) ||
      nativeBbox[0] === nativeBbox[2] ||
      nativeBbox[1] === nativeBbox[3]
    ) {
      throw new InvalidContentError(
        'GeoTIFF is not georeferenced (no usable tiepoint, pixel scale or transformation)',
      );
    }
    const epsg = epsgOf(image);
    const project = projectionToWgs84(epsg);
    const wgs84 = project ? bboxToWgs84(nativeBbox, project) : undefined;
    const acquisitionTime = acquisitionTimeOf(await image.getGDALMetadata().catch(() => null), [
      await tagValue(image, 'DateTimeOriginal'),
      await tagValue(image, 'DateTime'),
    ]);
    const nativeCrs = epsg ? `EPSG:${epsg}` : undefined;
    return {
      format: 'GeoTIFF',
      mimeType: 'image/tiff; application=geotiff',
      geometry: wgs84?.geometry ?? bboxPolygon(nativeBbox),
      bbox: wgs84?.bbox ?? nativeBbox,
      crs: wgs84 ? 'EPSG:4326' : nativeCrs,
      properties: {
        nativeCrs,
        nativeBbox,
        width: image.getWidth(),
        height: image.getHeight(),
        bands: image.getSamplesPerPixel(),
        dataType: dataTypeOf(image),
        resolution: image.getResolution().slice(0, 2).map(Math.abs),
        ...(acquisitionTime ? { acquisitionTime } : {}),
      },
    };
  } finally {
    await tiff.close();
  }
}
