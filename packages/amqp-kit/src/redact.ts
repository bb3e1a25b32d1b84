/** The URL with its password replaced by `***`, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not parseable as a whole: still never print what may be a password.
    return redactSecrets(url);
  }
}

/** Several URLs, redacted and comma-separated (the form `AMQP_URL` takes). */
export function redactUrls(urls: readonly string[]): string {
  return urls.map(redactUrl).join(',');
}

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]*@/gi;

/**
 * Free text (an error message from a client library, say) with the password of every URL in it
 * replaced by `***`.
 */
export function redactSecrets(text: string): string {
  return text.replace(USERINFO, '$1***@');
}
