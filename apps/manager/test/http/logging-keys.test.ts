import { Writable } from 'node:stream';
import { createLogger, logLevelFromEnv } from '../../src/logging/logger';
import { runWithRequestContext } from '../../src/logging/request-context';
import { parseTraceParent } from '../../src/logging/trace-context';
import { digest, findApiKey, parseApiKeys } from '../../src/security/api-keys';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('JSON logs', () => {
  it('carry the request id and trace id of the call they are written in, and redact secrets', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ level: 'info', namespace: 'ns1', destination: stream });
    const trace = parseTraceParent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    runWithRequestContext({ requestId: 'req-1', traceId: trace?.traceId }, () =>
      logger.info({ headers: { authorization: 'Bearer secret-key-123456789' } }, 'inside'),
    );
    logger.debug('filtered out');
    logger.warn('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({
      level: 'info',
      msg: 'inside',
      namespace: 'ns1',
      requestId: 'req-1',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(JSON.stringify(inside)).not.toContain('secret-key');
    expect(outside).toMatchObject({ level: 'warn', msg: 'outside' });
    expect(outside).not.toHaveProperty('requestId');
    expect(lines()).toHaveLength(2);
  });

  it('reads LOG_LEVEL and refuses an unknown one', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: 'DEBUG' })).toBe('debug');
    expect(() => logLevelFromEnv({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL "loud"/);
  });

  it('ignores an invalid traceparent', () => {
    expect(
      parseTraceParent('00-00000000000000000000000000000000-00f067aa0ba902b7-01'),
    ).toBeUndefined();
    expect(parseTraceParent('garbage')).toBeUndefined();
  });
});

describe('WM_API_KEYS', () => {
  it('parses plain and pre-hashed keys with their roles, and finds a key by its secret', () => {
    const keys = parseApiKeys(
      ` a:read:0123456789abcdef , b:operate:sha256:${digest('another-secret-key').toString('hex')}`,
    );
    expect(keys.map((key) => [key.name, key.role])).toEqual([
      ['a', 'read'],
      ['b', 'operate'],
    ]);
    expect(findApiKey(keys, '0123456789abcdef')?.name).toBe('a');
    expect(findApiKey(keys, 'another-secret-key')?.name).toBe('b');
    expect(findApiKey(keys, 'nope')).toBeUndefined();
    expect(parseApiKeys('')).toEqual([]);
  });

  it.each([
    ['a:read', /not "name:role:key"/],
    ['a:admin:0123456789abcdef', /role "admin"/],
    ['a:read:short', /at least 16 characters/],
    ['a:read:0123456789abcdef,a:operate:0123456789abcdeg', /used twice/],
    ['a b:read:0123456789abcdef', /name "a b"/],
  ])('refuses %s at start, without echoing the key', (value, message) => {
    expect(() => parseApiKeys(value)).toThrow(message);
    try {
      parseApiKeys(value);
    } catch (error) {
      expect((error as Error).message).not.toContain('0123456789abcdef');
    }
  });
});
