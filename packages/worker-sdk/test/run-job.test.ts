import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { buildResponse, HEADERS, namesFor } from '@org/protocol';
import { defineWorker, InvalidContentError } from '@org/worker-sdk';
import { runJob } from '@org/worker-sdk/testing';
import { responseFor } from '../src/execution/response-for';

class Size {
  @IsInt() @Min(1) width!: number;
  @IsInt() @Min(1) height!: number;
}

class ResizeJob {
  @IsString() image!: string;
  @ValidateNested() @Type(() => Size) size!: Size;
}

const resizer = defineWorker({
  type: 'resizer',
  payload: ResizeJob,
  instanceId: 'resizer-1',
  handler: async (job, ctx) => {
    // job.payload is typed from the payload class.
    const { image, size } = job.payload;
    if (image === 'throw') throw new Error('disk on fire');
    if (image === 'refuse')
      throw new InvalidContentError(['image: unsupported format', 'image: too old']);
    if (image === 'retry') return ctx.error('storage busy', { retryable: true });
    if (image === 'wait') {
      await new Promise((_resolve, reject) => {
        ctx.signal.throwIfAborted();
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    }
    await ctx.progress(10);
    await ctx.progress(99.6);
    const derived = await ctx.submit('image/thumbnail', { image, of: job.requestId });
    ctx.log.info('resized', { image });
    return ctx.success({
      contentType: 'image/resized',
      json: { image, area: size.width * size.height, derived },
      meta: { width: String(size.width), 'wm-meta-height': String(size.height) },
    });
  },
});

describe('runJob (test harness)', () => {
  it('runs the handler on a validated, typed payload and returns the exact wire response', async () => {
    const run = await runJob(resizer, {
      json: { image: 'cat.png', size: { width: 3, height: 4 } },
      requestId: 'r-1',
      attempt: 2,
      step: 1,
      workflow: 'media',
      tenant: 'acme',
    });
    expect(run.status).toBe('SUCCESS');
    expect(run.contentType).toBe('image/resized');
    expect(run.mimeType).toBe('application/json');
    expect(run.meta).toEqual({ 'wm-meta-width': '3', 'wm-meta-height': '4' });
    expect(run.progress).toEqual([10, 100]);
    expect(run.submitted).toHaveLength(1);
    const [submitted] = run.submitted;
    expect(submitted!.contentType).toBe('image/thumbnail');
    expect(submitted!.json()).toEqual({ image: 'cat.png', of: 'r-1' });
    expect(submitted!.message.exchange).toBe('wm.requests');
    expect(submitted!.message.options.headers[HEADERS.requestId]).toBe(submitted!.requestId);
    expect(submitted!.message.options.headers[HEADERS.tenant]).toBe('acme');
    expect(run.json()).toEqual({ image: 'cat.png', area: 12, derived: submitted!.requestId });
    expect(run.logs).toEqual([
      { level: 'info', msg: 'resized', fields: { requestId: 'r-1', attempt: 2, image: 'cat.png' } },
    ]);
    // The response is the real worker's: same builder, same routing, echoes the fencing token.
    expect(run.response.exchange).toBe('wm.responses');
    expect(run.response.routingKey).toBe('success.resizer');
    expect(run.response.options.headers).toMatchObject({
      [HEADERS.requestId]: 'r-1',
      [HEADERS.attempt]: 2,
      [HEADERS.step]: 1,
      [HEADERS.status]: 'SUCCESS',
      [HEADERS.workerType]: 'resizer',
      [HEADERS.workerId]: 'resizer-1',
      [HEADERS.contentType]: 'image/resized',
    });
    expect(run.response.options.correlationId).toBe('r-1');
    expect(run.response.options.persistent).toBe(true);
  });

  it('builds its response with the same function as the worker', async () => {
    const run = await runJob(resizer, { json: { image: 'retry', size: { width: 1, height: 1 } } });
    const names = namesFor('wm');
    const viaWorker = buildResponse(
      names,
      responseFor(
        { names, workerType: 'resizer', workerId: 'resizer-1' },
        {
          requestId: 'test-request-1',
          attempt: 1,
          step: 0,
          workerType: 'resizer',
          contentType: 'test/input',
          meta: {},
          messageId: 'test-request-1#1',
          correlationId: 'test-request-1',
          body: Buffer.alloc(0),
          redelivered: false,
          deliveryCount: 0,
        },
        { status: 'ERROR', messages: ['storage busy'], retryable: true },
      ),
    );
    expect(run.response.options.headers).toEqual(viaWorker.options.headers);
    expect(run.response.routingKey).toBe(viaWorker.routingKey);
  });

  it('lists every payload violation as INVALID_CONTENT without running the handler', async () => {
    const run = await runJob(resizer, { json: { image: 7, size: { width: 0 } } });
    expect(run.status).toBe('INVALID_CONTENT');
    expect(run.messages).toEqual([
      'body.image: must be a string',
      'body.size.width: must not be less than 1',
      'body.size.height: must not be less than 1',
      'body.size.height: must be an integer number',
    ]);
    expect(run.body).toHaveLength(0);
  });

  it('answers INVALID_CONTENT when the body is not JSON', async () => {
    const run = await runJob(resizer, { body: 'not json' });
    expect(run.status).toBe('INVALID_CONTENT');
    expect(run.messages[0]).toMatch(/^body: is not JSON/);
  });

  it('maps a thrown error to ERROR with its message, and InvalidContentError to INVALID_CONTENT', async () => {
    const thrown = await runJob(resizer, {
      json: { image: 'throw', size: { width: 1, height: 1 } },
    });
    expect(thrown).toMatchObject({ status: 'ERROR', messages: ['disk on fire'], retryable: false });
    const refused = await runJob(resizer, {
      json: { image: 'refuse', size: { width: 1, height: 1 } },
    });
    expect(refused).toMatchObject({
      status: 'INVALID_CONTENT',
      messages: ['image: unsupported format', 'image: too old'],
    });
    const retry = await runJob(resizer, {
      json: { image: 'retry', size: { width: 1, height: 1 } },
    });
    expect(retry).toMatchObject({ status: 'ERROR', messages: ['storage busy'], retryable: true });
  });

  it('answers ERROR "cancelled" when the job is cancelled and the handler gives up', async () => {
    const controller = new AbortController();
    const running = runJob(resizer, {
      json: { image: 'wait', size: { width: 1, height: 1 } },
      signal: controller.signal,
    });
    controller.abort('requester changed their mind');
    const run = await running;
    expect(run).toMatchObject({
      status: 'ERROR',
      messages: ['cancelled: requester changed their mind'],
      retryable: false,
    });
  });

  it('turns a handler that returns nothing into an ERROR that says what to return', async () => {
    const sloppy = defineWorker({ type: 'sloppy', handler: () => undefined as never });
    const run = await runJob(sloppy, { body: 'x' });
    expect(run.status).toBe('ERROR');
    expect(run.messages[0]).toMatch(/return ctx.success\(\), ctx.invalid\(\) or ctx.error\(\)/);
  });

  it('hands over bytes, headers, meta and delivery facts when there is no payload class', async () => {
    const echo = defineWorker({
      type: 'echo',
      handler: (job, ctx) =>
        ctx.success({
          body: Buffer.concat([job.body, Buffer.from('!')]),
          mimeType: 'text/plain',
          meta: {
            seen: `${job.meta['wm-meta-origin']}/${String(job.redelivered)}/${job.deliveryCount}/${String(job.headers['x-custom'])}`,
          },
        }),
    });
    const run = await runJob(echo, {
      body: 'hi',
      meta: { origin: 'step0' },
      redelivered: true,
      headers: { 'x-custom': 'yes' },
    });
    expect(run.body.toString()).toBe('hi!');
    expect(run.mimeType).toBe('text/plain');
    expect(run.meta).toEqual({ 'wm-meta-seen': 'step0/true/1/yes' });
  });

  it('rejects bad options with every problem listed', () => {
    expect(() =>
      defineWorker({ type: 'Bad Type', handler: () => undefined as never, concurrency: 0 }),
    ).not.toThrow();
    return expect(
      runJob({ type: 'Bad Type', handler: () => undefined as never, concurrency: 0 }),
    ).rejects.toThrow(
      /type "Bad Type" must match[\s\S]*concurrency must be a positive integer, got 0/,
    );
  });
});
