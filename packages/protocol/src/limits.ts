/** Limits and defaults of the wire contract (v1 and its v2 additions). Changing one is a contract change. */

/** Version of the wire contract implemented by this package (v2 is backward compatible with v1). */
export const CONTRACT_VERSION = '2.0.0';

/** Namespace used when `WM_NAMESPACE` is not set. */
export const DEFAULT_NAMESPACE = 'wm';

/** A request id is at most this many characters. */
export const MAX_REQUEST_ID_LENGTH = 128;

/** Content types, tenants, owners, sessions and other short header strings are at most this long. */
export const MAX_SHORT_HEADER_LENGTH = 255;

/** Longest `wm-callback-url`. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

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

/** `wm-priority` ranges from 0 (the default) to this; higher runs first. */
export const MAX_PRIORITY = 9;

/** A batch frame (`application/vnd.wm.batch`) carries at most this many items. */
export const MAX_BATCH_ITEMS = 1000;

/** `WM_MAX_BATCH_BYTES` default: the largest batch frame, in bytes. */
export const DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * `WM_MAX_INFLIGHT_BYTES` default: payload bytes the manager holds in memory at once, split an
 * eighth to each payload consumer (requests, responses), half to dispatch claims, a quarter to
 * events. 32 MiB keeps a replica moving 2,000 × 1 MiB requests under 300 MB of RSS
 * (apps/manager/test/memory.solo.test.ts); small payloads are bounded by the counts long before it.
 */
export const DEFAULT_MAX_INFLIGHT_BYTES = 32 * 1024 * 1024;

/** `WM_DEDUP_RETENTION_MS` default: how long a finished request's id is remembered (24 h). */
export const DEFAULT_DEDUP_RETENTION_MS = 24 * 60 * 60 * 1000;

/** SDK `runningAfterMs` default: a job still running after this long reports `RUNNING`. */
export const DEFAULT_RUNNING_AFTER_MS = 1000;

/** Dispatch window: an instance that advertises no `concurrency` counts as this many slots. */
export const DEFAULT_INSTANCE_CONCURRENCY = 8;

/** Dispatch window: jobs outstanding per advertised concurrency slot (design 5.1: × 2). */
export const WINDOW_PER_CONCURRENCY = 2;

/**
 * Dispatch window: the most it widens to for jobs shorter than the dispatch round trip, per
 * advertised concurrency slot (the manager's `WM_DISPATCH_HORIZON_MS`; ours, not design 5.1's).
 * It bounds how many jobs already sent a higher-priority request can find ahead of it.
 */
export const MAX_WINDOW_PER_CONCURRENCY = 8;
