/**
 * `@org/example-metadata-extractor`: the metadata extractor as a library, for running it
 * in-process (the demo, end-to-end tests), and its GeoTIFF fixture generator.
 *
 * ```ts
 * import { createWorker } from '@org/worker-sdk';
 * import { metadataExtractorWorker, DEFAULT_MAX_JSON_BYTES } from '@org/example-metadata-extractor';
 *
 * const config = { roots: ['/data/store'], maxJsonBytes: DEFAULT_MAX_JSON_BYTES };
 * await createWorker({ ...metadataExtractorWorker({ config }), concurrency: 4 }).start();
 * ```
 *
 * `node dist/main.js` runs it as a process configured from the environment.
 */
export {
  metadataExtractorWorker,
  METADATA_EXTRACTOR_TYPE,
  DESCRIBED_CONTENT_TYPE,
  type MetadataExtractorOptions,
} from './metadata-extractor.worker';
export { DescribeJob } from './describe-job';
export { describeProduct, type DescribeRequest } from './describe-product';
export {
  configFromEnv,
  DEFAULT_MAX_JSON_BYTES,
  DEFAULT_METADATA_EXTRACTOR_ROOTS,
  type ExtractorConfig,
} from './config';
export {
  type FileFacts,
  type FormatDescription,
  type ProductFeature,
  type ProductFormat,
} from './product-feature';
export { bboxPolygon, type Bbox, type Geometry, type Position } from './geo/geometry';
export { ProductMissingError } from './errors';
export { expectedBbox, makeGeoTiff, writeGeoTiff, type GeoTiffSpec } from './fixtures/make-geotiff';
