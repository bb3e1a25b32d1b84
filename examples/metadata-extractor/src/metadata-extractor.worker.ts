import { defineWorker, type WorkerOptions } from '@org/worker-sdk';
import { type ExtractorConfig } from './config';
import { DescribeJob } from './describe-job';
import { describeProduct } from './describe-product';
import { ProductMissingError } from './errors';

/** Worker type of the metadata extractor (its queue is `<ns>.worker.metadata-extractor`). */
export const METADATA_EXTRACTOR_TYPE = 'metadata-extractor';

/** Business content type of the extractor's output. */
export const DESCRIBED_CONTENT_TYPE = 'product/described';

export interface MetadataExtractorOptions {
  readonly config: ExtractorConfig;
  /** @default DESCRIBED_CONTENT_TYPE (`product/described`) */
  readonly outputContentType?: string;
}

/**
 * The metadata extractor's definition, for `createWorker` (see `main.ts`) and `runJob` in tests.
 *
 * Job (JSON): `{ location, size?, sha256? }`, e.g. the file mover's output.
 * Output (JSON, `product/described`, MIME `application/geo+json`): a GeoJSON Feature.
 * Unknown or corrupt files answer INVALID_CONTENT with the reason (thrown as `InvalidContentError`).
 */
export function metadataExtractorWorker(
  options: MetadataExtractorOptions,
): WorkerOptions<DescribeJob> {
  const contentType = options.outputContentType ?? DESCRIBED_CONTENT_TYPE;
  return defineWorker<DescribeJob>({
    type: METADATA_EXTRACTOR_TYPE,
    description: 'Describes a product file (GeoTIFF, GeoJSON, JSON) as a GeoJSON Feature.',
    payload: DescribeJob,
    handler: async (job, ctx) => {
      try {
        const feature = await describeProduct(job.payload, options.config, ctx.signal);
        ctx.log.info('product described', {
          location: job.payload.location,
          format: feature.properties.format,
          bbox: feature.bbox,
        });
        return ctx.success({ json: feature, contentType, mimeType: 'application/geo+json' });
      } catch (error) {
        // The file may appear (or be replaced) later: worth a retry, unlike bad content.
        if (error instanceof ProductMissingError)
          return ctx.error(error.message, { retryable: true });
        throw error;
      }
    },
  });
}
