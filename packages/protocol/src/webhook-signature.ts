import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HTTP headers of a webhook call (the manager POSTing a request's event to its `wm-callback-url`).
 * `wm-request-id` and `traceparent` are the contract's own names (HEADERS).
 */
export const WEBHOOK_HEADERS = {
  /** The delivery's id: the same on every attempt of one delivery, so a receiver can drop repeats. */
  id: 'wm-webhook-id',
  /** Unix seconds when this attempt was signed: a receiver refuses old ones (replays). */
  timestamp: 'wm-webhook-timestamp',
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the shared secret. */
  signature: 'wm-webhook-signature',
  /** Which attempt of the delivery this is, from 1. */
  attempt: 'wm-webhook-attempt',
} as const;

/** The signature scheme's version, the prefix of `wm-webhook-signature`. */
export const WEBHOOK_SIGNATURE_VERSION = 'v1';

/** `v1=<hex>`: HMAC-SHA256 with `secret` over `<timestamp>.<body>` (the body's exact bytes). */
export function webhookSignature(secret: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `${WEBHOOK_SIGNATURE_VERSION}=${mac}`;
}

/**
 * What a receiver runs: true when `signature` is the one `secret` gives for `timestamp` and the
 * raw `body`, and the timestamp is within `toleranceSeconds` of now. @default toleranceSeconds 300
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string | Buffer,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return false;
  }
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(headers.signature ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
