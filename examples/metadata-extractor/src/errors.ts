/**
 * The product file is not there (yet, or any more). Not INVALID_CONTENT: the job may be right and
 * the file late or replaced, so the worker answers a retryable ERROR.
 */
export class ProductMissingError extends Error {
  override readonly name = 'ProductMissingError';
}
