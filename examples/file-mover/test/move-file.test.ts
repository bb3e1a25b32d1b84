import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ChecksumMismatchError,
  DestinationExistsError,
  NotAFileError,
  SourceMissingError,
  UnsafePathError,
} from '../src/errors';
import { moveFile } from '../src/move-file';
import { receiptLocation } from '../src/receipt';
import { LocalStorage } from '../src/storage/local-storage';
import { Sandbox, sha256 } from './fixtures/sandbox';

/** Forces the copy path (stage, fsync, verify, rename) even within one device. */
class CopyingStorage extends LocalStorage {
  override sameDevice(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

describe('moveFile', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await Sandbox.create();
  });
  afterEach(() => box.dispose());

  it('renames within a device, verifies sha256 and leaves a receipt', async () => {
    const source = await box.write(join(box.in, 'a.tif'), 'raster bytes');
    const destination = join(box.store, 'products', '2024', 'a.tif');

    const { output, alreadyDone } = await moveFile(box.storage(), {
      source,
      destination,
      checksum: sha256('raster bytes'),
    });

    expect(alreadyDone).toBe(false);
    expect(output).toEqual({ location: destination, size: 12, sha256: sha256('raster bytes') });
    expect(await readFile(destination, 'utf8')).toBe('raster bytes');
    expect(existsSync(source)).toBe(false);
    expect(JSON.parse(await readFile(receiptLocation(destination), 'utf8'))).toMatchObject({
      source,
      destination,
      sha256: sha256('raster bytes'),
    });
  });

  it('copies across devices: streamed into a staged file, verified, published, source removed', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const source = await box.write(join(box.in, 'big.bin'), content);
    // A real second device when the machine has one (tmpfs), else the same copy path forced.
    const storage = box.other ? box.storage() : new CopyingStorage({ roots: box.roots });
    const destination = join(box.other ?? box.store, 'big.bin');
    if (box.other) expect(await storage.sameDevice(source, destination)).toBe(false);
    const progress: number[] = [];

    const { output } = await moveFile(
      storage,
      { source, destination },
      { onProgress: (p) => progress.push(p) },
    );

    expect(output).toEqual({
      location: destination,
      size: content.length,
      sha256: sha256(content),
    });
    expect((await readFile(destination)).equals(content)).toBe(true);
    expect(existsSync(source)).toBe(false);
    expect(
      (await box.list(join(destination, '..'))).filter((name) => name.endsWith('.partial')),
    ).toEqual([]);
    expect(progress.length).toBeGreaterThan(0);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('refuses a checksum mismatch before publishing anything (copy path)', async () => {
    const source = await box.write(join(box.in, 'a.bin'), 'actual');
    const destination = join(box.store, 'a.bin');

    await expect(
      moveFile(new CopyingStorage({ roots: box.roots }), {
        source,
        destination,
        checksum: sha256('expected'),
      }),
    ).rejects.toThrow(ChecksumMismatchError);

    expect(await readFile(source, 'utf8')).toBe('actual');
    expect(await box.list(box.store)).toEqual([]);
  });

  it('refuses a checksum mismatch on the rename path too', async () => {
    const source = await box.write(join(box.in, 'a.bin'), 'actual');
    await expect(
      moveFile(box.storage(), {
        source,
        destination: join(box.store, 'a.bin'),
        checksum: 'A'.repeat(64),
      }),
    ).rejects.toThrow(/checksum mismatch/);
    expect(existsSync(source)).toBe(true);
  });

  it('answers a missing source with SourceMissingError', async () => {
    await expect(
      moveFile(box.storage(), {
        source: join(box.in, 'nope.tif'),
        destination: join(box.store, 'nope.tif'),
      }),
    ).rejects.toThrow(SourceMissingError);
  });

  it('refuses a directory as source', async () => {
    await box.write(join(box.in, 'dir', 'x'), 'x');
    await expect(
      moveFile(box.storage(), { source: join(box.in, 'dir'), destination: join(box.store, 'dir') }),
    ).rejects.toThrow(NotAFileError);
  });

  describe('redelivery', () => {
    it('reports a completed move again without touching the destination', async () => {
      const source = await box.write(join(box.in, 'a.tif'), 'bytes');
      const destination = join(box.store, 'a.tif');
      const first = await moveFile(box.storage(), { source, destination });
      const before = await stat(destination);

      const again = await moveFile(box.storage(), { source, destination });

      expect(again).toEqual({ output: first.output, alreadyDone: true });
      expect((await stat(destination)).mtimeMs).toBe(before.mtimeMs);
      expect(await readFile(destination, 'utf8')).toBe('bytes');
    });

    it('finishes a move whose source removal was lost (destination already published)', async () => {
      const source = await box.write(join(box.in, 'a.tif'), 'bytes');
      const destination = join(box.store, 'a.tif');
      await moveFile(new CopyingStorage({ roots: box.roots }), { source, destination });
      await writeFile(source, 'bytes'); // as if the worker died right after publishing

      const again = await moveFile(new CopyingStorage({ roots: box.roots }), {
        source,
        destination,
      });

      expect(again.alreadyDone).toBe(true);
      expect(existsSync(source)).toBe(false);
      expect(await readFile(destination, 'utf8')).toBe('bytes');
    });

    it('cleans up the partial copy of an attempt killed mid-move', async () => {
      const source = await box.write(join(box.in, 'a.tif'), 'whole file');
      const destination = join(box.store, 'a.tif');
      await box.write(join(box.store, '.a.tif.deadbeef.partial'), 'whole'); // killed mid-copy

      const { output } = await moveFile(new CopyingStorage({ roots: box.roots }), {
        source,
        destination,
      });

      expect(output.sha256).toBe(sha256('whole file'));
      expect(await box.list(box.store)).toEqual(['.a.tif.file-mover.json', 'a.tif']);
    });

    it('does not mistake a damaged destination for a completed move', async () => {
      const source = await box.write(join(box.in, 'a.tif'), 'bytes');
      const destination = join(box.store, 'a.tif');
      await moveFile(box.storage(), { source, destination });
      await writeFile(destination, 'tampered');

      await expect(moveFile(box.storage(), { source, destination })).rejects.toThrow(
        SourceMissingError,
      );
      expect(await readFile(destination, 'utf8')).toBe('tampered');
    });

    it("does not take another source's receipt as proof", async () => {
      const source = await box.write(join(box.in, 'a.tif'), 'bytes');
      const destination = join(box.store, 'a.tif');
      await moveFile(box.storage(), { source, destination });

      await expect(
        moveFile(box.storage(), { source: join(box.in, 'b.tif'), destination }),
      ).rejects.toThrow(SourceMissingError);
    });
  });

  describe('existing destination', () => {
    it('refuses other content without overwrite, keeping both files', async () => {
      const source = await box.write(join(box.in, 'a.tif'), 'new');
      const destination = await box.write(join(box.store, 'a.tif'), 'old');

      await expect(moveFile(box.storage(), { source, destination })).rejects.toThrow(
        DestinationExistsError,
      );
      await expect(
        moveFile(new CopyingStorage({ roots: box.roots }), { source, destination }),
      ).rejects.toThrow(DestinationExistsError);
      expect(await readFile(destination, 'utf8')).toBe('old');
      expect(await readFile(source, 'utf8')).toBe('new');
    });

    it('replaces it with overwrite, on both paths', async () => {
      for (const storage of [box.storage(), new CopyingStorage({ roots: box.roots })]) {
        const source = await box.write(join(box.in, 'a.tif'), 'new');
        const destination = await box.write(join(box.store, 'a.tif'), 'old');
        await moveFile(storage, { source, destination, overwrite: true });
        expect(await readFile(destination, 'utf8')).toBe('new');
        expect(existsSync(source)).toBe(false);
      }
    });
  });

  describe('path confinement', () => {
    it.each([
      ['a ".." segment', (b: Sandbox) => `${b.in}/../outside/secret`],
      ['a path outside the roots', (b: Sandbox) => join(b.outside, 'secret')],
      ['a relative path', () => 'in/secret'],
      ['a NUL byte', (b: Sandbox) => `${b.in}/a\0b`],
      ['a root itself', (b: Sandbox) => b.in],
    ])('refuses a source with %s', async (_what, source) => {
      await box.write(join(box.outside, 'secret'), 'secret');
      await expect(
        moveFile(box.storage(), { source: source(box), destination: join(box.store, 'x') }),
      ).rejects.toThrow(UnsafePathError);
      expect(await readFile(join(box.outside, 'secret'), 'utf8')).toBe('secret');
    });

    it('refuses a destination outside the roots or spelled with ".."', async () => {
      const source = await box.write(join(box.in, 'a'), 'a');
      for (const destination of [join(box.outside, 'a'), `${box.store}/../outside/a`, '/etc/a']) {
        await expect(moveFile(box.storage(), { source, destination })).rejects.toThrow(
          UnsafePathError,
        );
      }
      expect(existsSync(source)).toBe(true);
      expect(await box.list(box.outside)).toEqual([]);
    });

    it('refuses symlinks that lead out of the roots, for source and destination', async () => {
      await box.write(join(box.outside, 'secret'), 'secret');
      await symlink(join(box.outside, 'secret'), join(box.in, 'innocent'));
      await symlink(box.outside, join(box.store, 'escape'));
      const source = await box.write(join(box.in, 'a'), 'a');

      await expect(
        moveFile(box.storage(), {
          source: join(box.in, 'innocent'),
          destination: join(box.store, 's'),
        }),
      ).rejects.toThrow(UnsafePathError);
      await expect(
        moveFile(box.storage(), { source, destination: join(box.store, 'escape', 'deeper', 'a') }),
      ).rejects.toThrow(UnsafePathError);
      expect(await box.list(box.outside)).toEqual(['secret']);
    });

    it('refuses moving onto itself', async () => {
      const source = await box.write(join(box.in, 'a'), 'a');
      await expect(moveFile(box.storage(), { source, destination: source })).rejects.toThrow(
        UnsafePathError,
      );
    });
  });
});
