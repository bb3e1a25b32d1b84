/** The parts of a metadata extractor's GeoJSON Feature the assembler relies on. */
export interface DescribedFeature {
  readonly type: 'Feature';
  readonly id?: string | number;
  readonly properties: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** The checksum worker's output. */
export interface Checksums {
  readonly location: string;
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
  readonly matchesMover: boolean | null;
}

/** Why the inputs cannot make a feature (the assembler answers INVALID_CONTENT with it). */
export function featureProblem(described: unknown, checksums: unknown): string | undefined {
  if (
    described === null ||
    typeof described !== 'object' ||
    (described as { type?: unknown }).type !== 'Feature' ||
    typeof (described as { properties?: unknown }).properties !== 'object'
  )
    return 'the description is not a GeoJSON Feature with properties';
  const sums = checksums as Partial<Checksums> | null;
  if (sums === null || typeof sums !== 'object' || typeof sums.sha256 !== 'string')
    return 'the checksums carry no sha256';
  return undefined;
}

/**
 * The published Feature: the extractor's, with the checksums under `properties.checksums`, and
 * `properties.verified` saying whether the stored file still matched the mover's copy.
 */
export function assembleFeature(described: DescribedFeature, checksums: Checksums) {
  return {
    ...described,
    properties: {
      ...described.properties,
      checksums: { sha256: checksums.sha256, md5: checksums.md5, size: checksums.size },
      verified: checksums.matchesMover !== false,
    },
  };
}
