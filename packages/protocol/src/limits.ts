/** Limits and defaults of wire contract v1. Changing one is a contract change. */

/** Version of the wire contract implemented by this package. */
export const CONTRACT_VERSION = '1.0.0';

/** Namespace used when `WM_NAMESPACE` is not set. */
export const DEFAULT_NAMESPACE = 'wm';

/** A request id is at most this many characters. */
export const MAX_REQUEST_ID_LENGTH = 128;

/** Content types, tenants, owners, sessions and other short header strings are at most this long. */
export const MAX_SHORT_HEADER_LENGTH = 255;

/** Each entry of `wm-messages`, and each `wm-meta-*` value, is at most this long. */
export const MAX_MESSAGE_LENGTH = 4096;

/** `wm-messages` carries at most this many entries. */
export const MAX_MESSAGES = 32;

/** A message carries at most this many `wm-meta-*` headers. */
export const MAX_META_HEADERS = 32;

/** `WM_MAX_PAYLOAD_BYTES` default: a request payload over this is answered `SKIPPED`. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** `WM_HEARTBEAT_INTERVAL_MS` default: how often a worker says it is alive. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;

/** `WM_HEARTBEAT_EXPIRY_MS` default: an instance not heard from for this long is gone. */
export const DEFAULT_HEARTBEAT_EXPIRY_MS = 30_000;

/**
 * Deliveries a work queue allows per message before it dead-letters it. A job that crashes its
 * worker this many times is poison: it becomes `ERROR` instead of looping forever.
 */
export const WORK_QUEUE_DELIVERY_LIMIT = 5;
