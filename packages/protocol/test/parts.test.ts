import { buildParts, encodeFrame, HEADERS, parseParts, type ParseResult } from '../src/index';

function problems<T>(result: ParseResult<T>): string[] {
  if (result.ok) throw new Error('expected a refusal');
  return result.error.messages();
}

describe('fan-in parts', () => {
  it('round-trip each parent output with its step id, content type, MIME type and meta (bodies not copied)', () => {
    const body = buildParts([
      {
        stepId: 'describe',
        contentType: 'product/described',
        mimeType: 'application/json',
        meta: { lang: 'fr' },
        body: Buffer.from('{"title":"Été"}'),
      },
      { stepId: 'thumbnail', contentType: 'image/png', body: Buffer.alloc(0) },
    ]);
    const parsed = parseParts(body);
    if (!parsed.ok) throw parsed.error;
    expect(parsed.value).toEqual([
      {
        stepId: 'describe',
        contentType: 'product/described',
        mimeType: 'application/json',
        meta: { 'wm-meta-lang': 'fr' },
        body: Buffer.from('{"title":"Été"}'),
      },
      {
        stepId: 'thumbnail',
        contentType: 'image/png',
        mimeType: undefined,
        meta: {},
        body: Buffer.alloc(0),
      },
    ]);
    expect(parsed.value[0]!.body.buffer).toBe(body.buffer);
  });

  it('refuse a step given twice, when built and when read', () => {
    const part = { stepId: 'a', contentType: 'x/y', body: Buffer.from('1') };
    expect(() => buildParts([part, part])).toThrow('parts: step "a" appears twice');
    const frame = encodeFrame([
      { header: { [HEADERS.stepId]: 'a', [HEADERS.contentType]: 'x/y' }, body: Buffer.from('1') },
      { header: { [HEADERS.stepId]: 'a', [HEADERS.contentType]: 'x/y' }, body: Buffer.from('2') },
    ]);
    expect(problems(parseParts(frame))).toEqual(['parts[1].headers.wm-step-id: "a" appears twice']);
  });

  it('list every part without a valid step id or content type', () => {
    const frame = encodeFrame([
      { header: { [HEADERS.contentType]: 'x/y' }, body: Buffer.alloc(0) },
      {
        header: { [HEADERS.stepId]: 'Not Valid', [HEADERS.contentType]: 'x/y' },
        body: Buffer.alloc(0),
      },
      { header: { [HEADERS.stepId]: 'ok' }, body: Buffer.alloc(0) },
    ]);
    expect(problems(parseParts(frame))).toEqual([
      'parts[0].headers.wm-step-id: is required',
      'parts[1].headers.wm-step-id: "Not Valid" does not match ^[a-z0-9][a-z0-9_-]{0,63}$',
      'parts[2].headers.wm-content-type: is required',
    ]);
  });

  it('a body that is not a frame is refused with the reason', () => {
    expect(problems(parseParts(Buffer.from('{"plain":"json"}')))).toEqual([
      'body: item 0: header length 2065854572 at offset 0 is over the limit of 1048576 bytes',
    ]);
  });
});
