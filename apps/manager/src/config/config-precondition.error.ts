/** A conditional import (`If-Match`) whose condition does not hold for the stored version. */
export class ConfigPreconditionError extends Error {
  override readonly name = 'ConfigPreconditionError';
  constructor(readonly storedVersion: number) {
    super(`the stored configuration is version ${storedVersion}`);
  }
}
