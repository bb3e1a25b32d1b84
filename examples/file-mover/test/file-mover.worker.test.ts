import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runJob } from '@org/worker-sdk/testing';
import { fileMoverWorker, STORED_CONTENT_TYPE } from '../src/file-mover.worker';
import { type MoveOutput } from '../src/move-file';
import { Sandbox, sha256 } from './fixtures/sandbox';
import { makeTar } from './fixtures/ustar';

describe('file-mover worker (through the SDK test harness)', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await Sandbox.create();
  });
  afterEach(() => box.dispose());

  const worker = () => fileMoverWorker({ storage: box.storage() });

  it('moves the file and answers SUCCESS with { location, size, sha256 } as product/stored', async () => {
    const source = await box.write(join(box.in, 'scene.tif'), 'scene');
    const destination = join(box.store, 'scene.tif');

    const run = await runJob(worker(), {
      json: { source, destination, options: { checksum: sha256('scene') } },
    });

    expect(run.messages).toEqual([]);
    expect(run.status).toBe('SUCCESS');
    expect(run.contentType).toBe(STORED_CONTENT_TYPE);
    expect(run.json<MoveOutput>()).toEqual({
      location: destination,
      size: 5,
      sha256: sha256('scene'),
    });
    expect(Object.values(run.meta)).toContain(sha256('scene'));
    expect(await readFile(destination, 'utf8')).toBe('scene');
  });

  it('answers a redelivered, already completed move with the same SUCCESS', async () => {
    const source = await box.write(join(box.in, 'scene.tif'), 'scene');
    const job = { source, destination: join(box.store, 'scene.tif') };
    const first = await runJob(worker(), { json: job });

    const again = await runJob(worker(), { json: job, redelivered: true });

    expect(again.status).toBe('SUCCESS');
    expect(again.json()).toEqual(first.json());
  });

  it('answers ERROR for a missing source', async () => {
    const run = await runJob(worker(), {
      json: { source: join(box.in, 'missing.tif'), destination: join(box.store, 'missing.tif') },
    });
    expect(run.status).toBe('ERROR');
    expect(run.retryable).toBe(false);
    expect(run.messages[0]).toMatch(/source does not exist/);
  });

  it('answers INVALID_CONTENT for a traversal attempt in the job', async () => {
    const run = await runJob(worker(), {
      json: { source: `${box.in}/../outside/secret`, destination: join(box.store, 'x') },
    });
    expect(run.status).toBe('INVALID_CONTENT');
    expect(run.messages[0]).toMatch(/\.\./);
  });

  it('answers INVALID_CONTENT for a traversal attempt inside an archive', async () => {
    const source = await box.write(
      join(box.in, 'evil.tar'),
      makeTar([{ name: '../../escaped', content: 'x' }]),
    );
    const run = await runJob(worker(), {
      json: { source, destination: join(box.store, 'x'), options: { extract: 'tar' } },
    });
    expect(run.status).toBe('INVALID_CONTENT');
    expect(run.messages[0]).toMatch(/escapes the target/);
    expect(existsSync(source)).toBe(true);
  });

  it('answers INVALID_CONTENT listing every problem of a malformed job', async () => {
    const run = await runJob(worker(), {
      json: { source: 42, destination: '/data/x', options: { extract: 'rar', checksum: 'abc' } },
    });
    expect(run.status).toBe('INVALID_CONTENT');
    expect(run.messages.join('\n')).toMatch(/source/);
    expect(run.messages.join('\n')).toMatch(/extract/);
    expect(run.messages.join('\n')).toMatch(/checksum/);
  });
});
