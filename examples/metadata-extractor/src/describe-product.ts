import { InvalidContentError } from '@org/worker-sdk';
import { type ExtractorConfig } from './config';
import { readFacts } from './file-facts';
import { describeGeoTiff } from './formats/describe-geotiff';
import { describeJson } from './formats/describe-json';
import { locateProduct } from './locate-product';
import { type FormatDescription, type ProductFeature } from './product-feature';
import { sniff } from './sniff';

export interface DescribeRequest {
  readonly location: string;
  /**
   * What the file mover stored. When the file read now differs, it is described as it is and
   * `properties.changedSinceStored` records these values. @default undefined (not compared)
   */
  readonly size?: number;
  readonly sha256?: string;
}

/** What the job said the file was, when the file read now differs from it. */
export interface StoredFacts {
  readonly size?: number;
  readonly sha256?: string;
}

function changedSinceStored(
  request: DescribeRequest,
  facts: { readonly size: number; readonly sha256: string },
): StoredFacts | undefined {
  const sha256 = request.sha256?.toLowerCase();
  const sizeDiffers = request.size !== undefined && request.size !== facts.size;
  const shaDiffers = sha256 !== undefined && sha256 !== facts.sha256;
  if (!sizeDiffers && !shaDiffers) return undefined;
  return {
    ...(request.size !== undefined ? { size: request.size } : {}),
    ...(sha256 !== undefined ? { sha256 } : {}),
  };
}

/**
 * Describes the product file at `request.location` as a GeoJSON Feature. Throws
 * `InvalidContentError` (with the reason) for unknown or corrupt files and
 * `ProductMissingError` when there is no file.
 */
export async function describeProduct(
  request: DescribeRequest,
  config: ExtractorConfig,
  signal?: AbortSignal,
): Promise<ProductFeature> {
  const { path } = await locateProduct(request.location, config.roots);
  const facts = await readFacts(path, signal);
  // The job's size and sha256 are what the file mover stored. A different file now is described
  // as it is (the feature's id and sha256 are always the bytes read), not refused: the usual cause
  // is an operator who replaced a corrupt product and retried this step, whose stored input still
  // names the old bytes. The difference is reported so a catalogue can tell.
  const stored = changedSinceStored(request, facts);
  const kind = sniff(facts.head);
  let description: FormatDescription;
  if (kind === 'tiff') description = await describeGeoTiff(path, facts.size, signal);
  else if (kind === 'json') description = await describeJson(path, facts.size, config.maxJsonBytes);
  else
    throw new InvalidContentError(
      `not a product this extractor reads (GeoTIFF, GeoJSON, JSON): ${kind.unknown}`,
    );
  return {
    type: 'Feature',
    id: facts.sha256,
    bbox: description.bbox,
    geometry: description.geometry,
    properties: {
      location: request.location,
      size: facts.size,
      sha256: facts.sha256,
      mimeType: description.mimeType,
      format: description.format,
      ...(description.crs ? { crs: description.crs } : {}),
      ...description.properties,
      ...(stored ? { changedSinceStored: stored } : {}),
    },
  };
}
