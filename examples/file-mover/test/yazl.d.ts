// yazl ships no types and @types/yazl is not a dependency; the tests use this much of it.
declare module 'yazl' {
  import { type Readable } from 'node:stream';

  export class ZipFile {
    readonly outputStream: Readable;
    addBuffer(
      buffer: Buffer,
      metadataPath: string,
      options?: { mode?: number; mtime?: Date; compress?: boolean },
    ): void;
    addEmptyDirectory(metadataPath: string, options?: { mode?: number }): void;
    end(): void;
  }
}
