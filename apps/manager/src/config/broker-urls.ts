/**
 * `AMQP_URL` may name several brokers (the nodes of a RabbitMQ cluster), comma-separated. They are
 * tried in turn: the first at start, the next one whenever the current connection is lost or
 * refused. Every URL is checked at boot so a typo in the third node's address fails the start
 * instead of the first failover. Passwords never appear in a message.
 */

/** The URLs of `AMQP_URL`, in the order they are tried, and every problem found. */
export interface ParsedBrokerUrls {
  readonly urls: readonly string[];
  readonly problems: readonly string[];
}

const PROTOCOLS = ['amqp:', 'amqps:'];

/** Splits and checks a comma-separated list of broker URLs. */
export function parseBrokerUrls(text: string): ParsedBrokerUrls {
  const entries = text.split(',').map((entry) => entry.trim());
  const problems: string[] = [];
  const several = entries.length > 1;
  entries.forEach((entry, index) => {
    const which = several ? `URL ${index + 1} of ${entries.length}` : 'the URL';
    if (entry === '') {
      problems.push(`${which} is empty (separate URLs with single commas)`);
      return;
    }
    let parsed: URL;
    try {
      parsed = new URL(entry);
    } catch {
      problems.push(`${which} ("${redactUrl(entry)}") is not a URL`);
      return;
    }
    if (!PROTOCOLS.includes(parsed.protocol)) {
      problems.push(
        `${which} ("${redactUrl(entry)}") must use ${PROTOCOLS.join(' or ')}, got "${parsed.protocol}"`,
      );
    } else if (parsed.hostname === '') {
      problems.push(`${which} ("${redactUrl(entry)}") names no host`);
    }
  });
  return { urls: entries, problems };
}

/** The URLs of `AMQP_URL`; throws one error listing every problem (passwords redacted). */
export function brokerUrls(text: string): readonly string[] {
  const { urls, problems } = parseBrokerUrls(text);
  if (problems.length > 0) throw new Error(`invalid AMQP_URL: ${problems.join('; ')}`);
  return urls;
}

/** A URL (or a comma-separated list) with every password replaced by `***`, for messages and logs. */
export function redactUrl(text: string): string {
  return text
    .split(',')
    .map((entry) => {
      try {
        const parsed = new URL(entry.trim());
        if (parsed.password) parsed.password = '***';
        return parsed.toString();
      } catch {
        // Not a URL; still hide anything between "user:" and "@".
        return entry.trim().replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@');
      }
    })
    .join(',');
}
