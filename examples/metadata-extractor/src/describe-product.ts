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
  /** When given (e.g. by the file mover), the file must still have this size and sha256. */
  readonly size?: number;
  readonly sha256?: string;
}

/**
 * Describes the product file at `request.location` as a GeoJSON Feature. Throws
 * `InvalidContentError` (with the reason) for unknown, corrupt or changed files and
 * `ProductMissingError` when there is no file.
 */
export async function describeProduct(
  request: DescribeRequest,
  config: ExtractorConfig,
  signal?: AbortSignal,
): Promise<ProductFeature> {
  const { path } = await locateProduct(request.location, config.roots);
  const facts = await readFacts(path, signal);
  if (request.sha256 !== undefined && request.sha256.toLowerCase() !== facts.sha256) {
    throw new InvalidContentError(
      `file changed since it was stored: sha256 is ${facts.sha256}, the job says ${request.sha256.toLowerCase()}`,
    );
  }
  if (request.size !== undefined && request.size !== facts.size) {
    throw new InvalidContentError(
      `file changed since it was stored: ${facts.size} bytes, the job says ${request.size}`,
    );
  }
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
    },
  };
}
