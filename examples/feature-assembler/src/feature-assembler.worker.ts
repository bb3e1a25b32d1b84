import {
  defineWorker,
  InvalidContentError,
  type FanInInput,
  type WorkerOptions,
} from '@org/worker-sdk';
import {
  assembleFeature,
  featureProblem,
  type Checksums,
  type DescribedFeature,
} from './assemble-feature';

/** Worker type of the assembler (its queue is `<ns>.worker.feature-assembler`). */
export const FEATURE_ASSEMBLER_TYPE = 'feature-assembler';

/** Business content type of its output. */
export const FEATURE_CONTENT_TYPE = 'product/feature';

export interface FeatureAssemblerOptions {
  /** Content type of the description input. @default 'product/described' */
  readonly describedContentType?: string;
  /** Content type of the checksums input. @default 'product/checksum' */
  readonly checksumContentType?: string;
  /** @default FEATURE_CONTENT_TYPE (`product/feature`) */
  readonly outputContentType?: string;
}

/**
 * The assembler's definition: the fan-in step of the `product/ingest-full` graph (design 5.4).
 * Its job carries its parents' outputs as parts (`job.inputs`, by step id); it finds the
 * description and the checksums by their content types, so the graph may name its steps freely.
 *
 * Output (JSON, `product/feature`, MIME `application/geo+json`): the extractor's GeoJSON Feature
 * with `properties.checksums` and `properties.verified`. Missing or malformed inputs are
 * answered INVALID_CONTENT with the reason.
 */
export function featureAssemblerWorker(options: FeatureAssemblerOptions = {}): WorkerOptions {
  const describedType = options.describedContentType ?? 'product/described';
  const checksumType = options.checksumContentType ?? 'product/checksum';
  const contentType = options.outputContentType ?? FEATURE_CONTENT_TYPE;
  return defineWorker({
    type: FEATURE_ASSEMBLER_TYPE,
    description: 'Assembles the GeoJSON Feature of a product from its description and checksums.',
    handler: (job, ctx) => {
      if (!job.inputs)
        throw new InvalidContentError(
          'a feature assembler job is a fan-in job: its body must be the parts of its parent steps',
        );
      const described = inputOf(job.inputs, describedType);
      const checksums = inputOf(job.inputs, checksumType);
      const problem = featureProblem(described, checksums);
      if (problem) throw new InvalidContentError(problem);
      const feature = assembleFeature(described as DescribedFeature, checksums as Checksums);
      ctx.log.info('feature assembled', { id: feature.id, steps: Object.keys(job.inputs) });
      return ctx.success({ json: feature, contentType, mimeType: 'application/geo+json' });
    },
  });
}

/** The JSON value of the one input of `contentType`. */
function inputOf(inputs: Readonly<Record<string, FanInInput>>, contentType: string): unknown {
  const found = Object.entries(inputs).filter(([, input]) => input.contentType === contentType);
  if (found.length !== 1)
    throw new InvalidContentError(
      `expected one input of content type ${contentType}, got ${found.length} (inputs: ${Object.entries(
        inputs,
      )
        .map(([step, input]) => `${step}=${input.contentType}`)
        .join(', ')})`,
    );
  try {
    return found[0]![1].json();
  } catch {
    throw new InvalidContentError(`the ${contentType} input is not JSON`);
  }
}
