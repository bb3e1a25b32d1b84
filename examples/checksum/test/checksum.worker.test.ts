import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from '@org/worker-sdk/testing';
import { CHECKSUM_CONTENT_TYPE, checksumWorker } from '../src/checksum.worker';
import { type FileChecksums } from '../src/file-checksums';

const hex = (algorithm: string, data: string) => createHash(algorithm).update(data).digest('hex');

describe('checksum worker (through the SDK test harness)', () => {
  let base: string;
  let root: string;
  beforeEach(async () => {
    base = realpathSync(await mkdtemp(join(tmpdir(), 'checksum-')));
    root = join(base, 'store');
    await mkdir(root);
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  const worker = () => checksumWorker({ roots: [root] });

  it('answers SHA-256, MD5 and size, and that the file matches the mover', async () => {
    const location = join(root, 'a.json');
    await writeFile(location, '{"a":1}');
    const run = await runJob(worker(), {
      json: { location, size: 7, sha256: hex('sha256', '{"a":1}') },
    });
    expect(run.status).toBe('SUCCESS');
    expect(run.contentType).toBe(CHECKSUM_CONTENT_TYPE);
    expect(run.json<FileChecksums>()).toEqual({
      location,
      size: 7,
      sha256: hex('sha256', '{"a":1}'),
      md5: hex('md5', '{"a":1}'),
      matchesMover: true,
    });
  });

  it('refuses a file that no longer matches, and a location outside its roots', async () => {
    const location = join(root, 'b.bin');
    await writeFile(location, 'changed');
    const changed = await runJob(worker(), { json: { location, sha256: hex('sha256', 'orig') } });
    expect(changed.status).toBe('INVALID_CONTENT');
    expect(changed.messages[0]).toContain('does not match');
    await writeFile(join(base, 'outside.bin'), 'x');
    const outside = await runJob(worker(), { json: { location: join(base, 'outside.bin') } });
    expect(outside.status).toBe('INVALID_CONTENT');
    expect(outside.messages[0]).toContain('outside the allowed roots');
  });

  it('answers a retryable ERROR for a file not stored yet', async () => {
    const run = await runJob(worker(), { json: { location: join(root, 'later.bin') } });
    expect(run).toMatchObject({ status: 'ERROR', retryable: true });
  });
});
