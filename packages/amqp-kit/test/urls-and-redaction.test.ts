import { parseAmqpUrls, redactSecrets, redactUrl, redactUrls } from '../src/index';

describe('broker URLs', () => {
  it('reads one URL, a comma-separated list (AMQP_URL) or an array, trimming blanks', () => {
    expect(parseAmqpUrls('amqp://a:1@h1:5672')).toEqual(['amqp://a:1@h1:5672']);
    expect(parseAmqpUrls(' amqp://h1 , amqps://h2:5671/vhost,, ')).toEqual([
      'amqp://h1',
      'amqps://h2:5671/vhost',
    ]);
    expect(parseAmqpUrls(['amqp://h1', ' amqp://h2 '])).toEqual(['amqp://h1', 'amqp://h2']);
  });

  it('names every unusable entry, with its password redacted', () => {
    expect(() => parseAmqpUrls('http://u:secret@h1,not a url,amqp://h3')).toThrow(
      'invalid broker URL: "http://u:***@h1/" must use amqp: or amqps:, not http:; "not a url" is not a URL',
    );
    expect(() => parseAmqpUrls(' , ')).toThrow('no broker URL given');
  });
});

describe('redaction', () => {
  it('hides passwords in URLs, lists of URLs and free text', () => {
    expect(redactUrl('amqp://guest:hunter2@broker:5672/vh')).toBe(
      'amqp://guest:***@broker:5672/vh',
    );
    expect(redactUrl('amqp://broker')).toBe('amqp://broker');
    expect(redactUrl('amqp://u:p@ss word@h')).not.toContain('p@ss');
    expect(redactUrls(['amqp://a:x@h1', 'amqps://b:y@h2'])).toBe(
      'amqp://a:***@h1,amqps://b:***@h2',
    );
    expect(
      redactSecrets(
        'connect to amqp://guest:hunter2@h1:5672 failed; also postgres://pg:s3cret@db/x',
      ),
    ).toBe('connect to amqp://guest:***@h1:5672 failed; also postgres://pg:***@db/x');
  });
});
