import { delimiter, isAbsolute } from 'node:path';

/** Where the extractor may read when `METADATA_EXTRACTOR_ROOTS` is not set (the file mover's default). */
export const DEFAULT_METADATA_EXTRACTOR_ROOTS: readonly string[] = ['/data'];

/** Largest JSON product parsed (JSON is parsed whole). @default 64 MiB */
export const DEFAULT_MAX_JSON_BYTES = 64 * 1024 * 1024;

export interface ExtractorConfig {
  /** Directories products may be read from. @default DEFAULT_METADATA_EXTRACTOR_ROOTS (`/data`) */
  readonly roots: readonly string[];
  /** @default DEFAULT_MAX_JSON_BYTES */
  readonly maxJsonBytes: number;
}

/**
 * `METADATA_EXTRACTOR_ROOTS` (absolute directories separated by `:`) and
 * `METADATA_EXTRACTOR_MAX_JSON_BYTES`, checked once at boot.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ExtractorConfig {
  const roots = (env.METADATA_EXTRACTOR_ROOTS ?? '')
    .split(delimiter)
    .map((root) => root.trim())
    .filter((root) => root.length > 0);
  const relative = roots.filter((root) => !isAbsolute(root));
  if (relative.length > 0) {
    throw new Error(
      `METADATA_EXTRACTOR_ROOTS must list absolute directories; not absolute: ${relative.join(', ')}`,
    );
  }
  const rawMax = env.METADATA_EXTRACTOR_MAX_JSON_BYTES;
  const maxJsonBytes = rawMax ? Number(rawMax) : DEFAULT_MAX_JSON_BYTES;
  if (!Number.isInteger(maxJsonBytes) || maxJsonBytes <= 0) {
    throw new Error(
      `METADATA_EXTRACTOR_MAX_JSON_BYTES must be a positive integer, got "${rawMax}"`,
    );
  }
  return { roots: roots.length > 0 ? roots : DEFAULT_METADATA_EXTRACTOR_ROOTS, maxJsonBytes };
}
