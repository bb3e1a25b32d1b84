/** The file is not there (yet): worth a retry, unlike a location outside the allowed roots. */
export class FileMissingError extends Error {
  override readonly name = 'FileMissingError';
  constructor(readonly location: string) {
    super(`no file at ${location} (it may not be stored yet)`);
  }
}
