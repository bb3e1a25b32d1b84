import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BATCH_CONTENT_TYPE,
  buildJobBatch,
  HEADERS,
  namesFor,
  parseResponseBatch,
  type ResponseMessage,
} from '../src/index';

const SCRIPT = join(__dirname, '..', 'examples', 'frame.py');
const names = namesFor('t');

describe('the Python example of the README reads and writes frames', () => {
  it('decodes a job batch written here and writes a response batch read back here', () => {
    const jobs = ['r-1', 'r-ünï-2', 'r-3'].map((requestId, index) => ({
      requestId,
      attempt: index + 1,
      workerType: 'shouter',
      contentType: 'text/plain',
      step: 0,
      messageId: `${requestId}#${index + 1}`,
      correlationId: requestId,
      meta: { note: 'ünïcödé ✓ 日本' },
      body: Buffer.from(index === 2 ? '' : `hello ${index}`),
    }));
    const batch = buildJobBatch(names, jobs);
    const run = spawnSync('python3', [SCRIPT], { input: batch.content, timeout: 30_000 });
    expect(run.error).toBeUndefined();
    expect(run.stderr.toString()).toBe('answered 3 jobs\n');
    expect(run.status).toBe(0);

    const parsed = parseResponseBatch({
      content: run.stdout,
      fields: {
        exchange: names.exchanges.responses,
        routingKey: 'success.shouter',
        redelivered: false,
      },
      properties: { contentType: BATCH_CONTENT_TYPE, headers: { [HEADERS.batch]: 3 } },
    });
    if (!parsed.ok) throw parsed.error;
    const responses = parsed.value.map((item) => {
      if (!item.parsed.ok) throw item.parsed.error;
      return item.parsed.value;
    });
    expect(
      responses.map((r: ResponseMessage) => [
        r.requestId,
        r.attempt,
        r.status,
        r.correlationId,
        r.body.toString(),
      ]),
    ).toEqual([
      ['r-1', 1, 'SUCCESS', 'r-1', 'HELLO 0'],
      ['r-ünï-2', 2, 'SUCCESS', 'r-ünï-2', 'HELLO 1'],
      ['r-3', 3, 'SUCCESS', 'r-3', ''],
    ]);
    expect(responses[0]).toMatchObject({
      workerType: 'shouter',
      workerId: 'python-example-1',
      step: 0,
      mimeType: 'text/plain',
    });
  });

  it('is the very code the protocol README shows', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`python\n${readFileSync(SCRIPT, 'utf8')}\`\`\``);
  });
});
