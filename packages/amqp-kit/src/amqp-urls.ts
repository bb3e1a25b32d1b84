import { redactUrl } from './redact';

/**
 * The broker URLs of `AMQP_URL`: one URL, or several separated by commas (the nodes of a
 * cluster), tried in turn. Throws a TypeError naming every unusable entry, passwords redacted.
 */
export function parseAmqpUrls(value: string | readonly string[]): string[] {
  const entries = (typeof value === 'string' ? value.split(',') : [...value])
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) {
    throw new TypeError('no broker URL given: set AMQP_URL to amqp://user:password@host:5672');
  }
  const problems: string[] = [];
  for (const entry of entries) {
    let protocol: string;
    try {
      protocol = new URL(entry).protocol;
    } catch {
      problems.push(`"${redactUrl(entry)}" is not a URL`);
      continue;
    }
    if (protocol !== 'amqp:' && protocol !== 'amqps:') {
      problems.push(`"${redactUrl(entry)}" must use amqp: or amqps:, not ${protocol}`);
    }
  }
  if (problems.length > 0) throw new TypeError(`invalid broker URL: ${problems.join('; ')}`);
  return entries;
}
