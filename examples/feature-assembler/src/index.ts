/**
 * `@org/example-feature-assembler`: the fan-in step of the `product/ingest-full` graph workflow
 * (design 5.4). It reads its parents' outputs as `job.inputs` and answers the final Feature.
 *
 * ```ts
 * import { createWorker } from '@org/worker-sdk';
 * import { featureAssemblerWorker } from '@org/example-feature-assembler';
 *
 * await createWorker({ ...featureAssemblerWorker(), concurrency: 4 }).start();
 * ```
 */
export {
  featureAssemblerWorker,
  FEATURE_ASSEMBLER_TYPE,
  FEATURE_CONTENT_TYPE,
  type FeatureAssemblerOptions,
} from './feature-assembler.worker';
export {
  assembleFeature,
  featureProblem,
  type Checksums,
  type DescribedFeature,
} from './assemble-feature';
