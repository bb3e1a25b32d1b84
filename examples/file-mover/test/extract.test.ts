import { existsSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ChecksumMismatchError, CorruptArchiveError, UnsafeArchiveError } from '../src/errors';
import { moveFile } from '../src/move-file';
import { type ArchiveFormat } from '../src/move-job';
import { Sandbox, sha256 } from './fixtures/sandbox';
import { makeTar, makeTarGz, type TarEntry } from './fixtures/ustar';
import { makeZip, type ZipEntry } from './fixtures/zip';

const GOOD_TAR: TarEntry[] = [
  { name: 'product/', type: 'directory' },
  { name: 'product/image.tif', content: 'tiff bytes' },
  { name: 'product/meta/info.json', content: '{"id":1}' },
  { name: 'product/latest', type: 'symlink', linkname: 'image.tif' },
];
const GOOD_ZIP: ZipEntry[] = [
  { name: 'product/', directory: true },
  { name: 'product/image.tif', content: 'tiff bytes' },
  { name: 'product/meta/info.json', content: '{"id":1}' },
  { name: 'product/latest', content: 'image.tif', symlink: true },
];

describe('moveFile with extract', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await Sandbox.create();
  });
  afterEach(() => box.dispose());

  async function archive(format: ArchiveFormat, tar: TarEntry[], zip: ZipEntry[]): Promise<string> {
    const bytes =
      format === 'zip' ? await makeZip(zip) : format === 'tar.gz' ? makeTarGz(tar) : makeTar(tar);
    return box.write(join(box.in, `archive.${format}`), bytes);
  }

  describe.each<ArchiveFormat>(['tar', 'tar.gz', 'zip'])('%s', (format) => {
    it('unpacks into the destination directory, lists the files, removes the archive', async () => {
      const source = await archive(format, GOOD_TAR, GOOD_ZIP);
      const bytes = await readFile(source);
      const destination = join(box.store, 'unpacked');

      const { output } = await moveFile(box.storage(), {
        source,
        destination,
        extract: format,
        checksum: sha256(bytes),
      });

      expect(output).toEqual({
        location: destination,
        size: bytes.length,
        sha256: sha256(bytes),
        files: [
          { path: 'product/image.tif', size: 10, sha256: sha256('tiff bytes') },
          { path: 'product/meta/info.json', size: 8, sha256: sha256('{"id":1}') },
        ],
      });
      expect(await readFile(join(destination, 'product/meta/info.json'), 'utf8')).toBe('{"id":1}');
      expect(await readlink(join(destination, 'product/latest'))).toBe('image.tif');
      expect(existsSync(source)).toBe(false);
      expect((await box.list(box.store)).filter((name) => name.includes('.partial'))).toEqual([]);

      const again = await moveFile(box.storage(), { source, destination, extract: format });
      expect(again).toEqual({ output, alreadyDone: true });
    });

    it('refuses an archive whose checksum is not the expected one, extracting nothing', async () => {
      const source = await archive(format, GOOD_TAR, GOOD_ZIP);
      await expect(
        moveFile(box.storage(), {
          source,
          destination: join(box.store, 'x'),
          extract: format,
          checksum: sha256('no'),
        }),
      ).rejects.toThrow(ChecksumMismatchError);
      expect(await box.list(box.store)).toEqual([]);
      expect(existsSync(source)).toBe(true);
    });

    it('refuses bytes that are not such an archive as corrupt', async () => {
      const source = await box.write(join(box.in, 'junk'), Buffer.alloc(4096, 7));
      await expect(
        moveFile(box.storage(), { source, destination: join(box.store, 'x'), extract: format }),
      ).rejects.toThrow(CorruptArchiveError);
      expect(await box.list(box.store)).toEqual([]);
    });
  });

  describe('path traversal', () => {
    const tarAttacks: Array<[string, TarEntry[]]> = [
      ['a "../" entry', [{ name: '../escaped.txt', content: 'pwned' }]],
      ['a nested "../" entry', [{ name: 'ok/../../escaped.txt', content: 'pwned' }]],
      ['an absolute entry', [{ name: '/tmp/escaped.txt', content: 'pwned' }]],
      [
        'a symlink out of the target',
        [{ name: 'link', type: 'symlink', linkname: '../../outside' }],
      ],
      ['an absolute symlink', [{ name: 'link', type: 'symlink', linkname: '/etc' }]],
      [
        'a write through an escaping symlink',
        [
          { name: 'link', type: 'symlink', linkname: '/tmp' },
          { name: 'link/escaped.txt', content: 'pwned' },
        ],
      ],
      [
        'a hard link out of the target',
        [{ name: 'hard', type: 'hardlink', linkname: '../outside/secret' }],
      ],
      [
        'symlinks that escape only together',
        [
          { name: 'b', type: 'symlink', linkname: '.' },
          { name: 'a', type: 'symlink', linkname: 'b/..' },
        ],
      ],
      ['a FIFO', [{ name: 'pipe', type: 'fifo' }]],
    ];

    it.each(tarAttacks)(
      'refuses a tar with %s as unsafe, writing nothing anywhere',
      async (_what, entries) => {
        await box.write(join(box.outside, 'secret'), 'secret');
        const source = await box.write(join(box.in, 'evil.tar'), makeTar(entries));

        const moving = moveFile(box.storage(), {
          source,
          destination: join(box.store, 'x'),
          extract: 'tar',
        });

        await expect(moving).rejects.toThrow(UnsafeArchiveError);
        expect(await box.list(box.store)).toEqual([]);
        expect(await box.list(box.outside)).toEqual(['secret']);
        expect(existsSync(join(box.base, 'escaped.txt'))).toBe(false);
        expect(existsSync(source)).toBe(true);
      },
    );

    const zipAttacks: Array<[string, ZipEntry[]]> = [
      ['a "../" entry', [{ name: '../escaped.txt', content: 'pwned' }]],
      ['an absolute entry', [{ name: '/tmp/escaped.txt', content: 'pwned' }]],
      ['a backslash "..\\" entry', [{ name: '..\\escaped.txt', content: 'pwned' }]],
      ['a symlink out of the target', [{ name: 'link', content: '../../outside', symlink: true }]],
      [
        'a write through an escaping symlink',
        [
          { name: 'link', content: '/tmp', symlink: true },
          { name: 'link/escaped.txt', content: 'pwned' },
        ],
      ],
    ];

    it.each(zipAttacks)(
      'refuses a zip with %s as unsafe, writing nothing anywhere',
      async (_what, entries) => {
        const source = await box.write(join(box.in, 'evil.zip'), await makeZip(entries));

        await expect(
          moveFile(box.storage(), { source, destination: join(box.store, 'x'), extract: 'zip' }),
        ).rejects.toThrow(UnsafeArchiveError);
        expect(await box.list(box.store)).toEqual([]);
        expect(await box.list(box.outside)).toEqual([]);
        expect(existsSync(join(box.base, 'escaped.txt'))).toBe(false);
      },
    );
  });

  it('refuses a truncated zip as corrupt', async () => {
    const bytes = await makeZip(GOOD_ZIP);
    const source = await box.write(join(box.in, 'cut.zip'), bytes.subarray(0, bytes.length - 30));
    await expect(
      moveFile(box.storage(), { source, destination: join(box.store, 'x'), extract: 'zip' }),
    ).rejects.toThrow(CorruptArchiveError);
  });

  it('keeps an existing destination directory unless asked to overwrite it', async () => {
    const source = await archive('tar', GOOD_TAR, GOOD_ZIP);
    const destination = join(box.store, 'unpacked');
    await box.write(join(destination, 'old.txt'), 'old');

    await expect(moveFile(box.storage(), { source, destination, extract: 'tar' })).rejects.toThrow(
      /already exists/,
    );
    await moveFile(box.storage(), { source, destination, extract: 'tar', overwrite: true });

    expect(existsSync(join(destination, 'old.txt'))).toBe(false);
    expect(await readFile(join(destination, 'product/image.tif'), 'utf8')).toBe('tiff bytes');
  });
});
