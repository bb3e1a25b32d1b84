/**
 * AMQP `contentType` values the contract gives a meaning to (design 5.2 and 5.4). Any other value
 * is the MIME type of an opaque payload.
 */

/** A message carrying several items (requests, jobs, responses or events), `wm-batch` of them. */
export const BATCH_CONTENT_TYPE = 'application/vnd.wm.batch';

/** One job (or SUCCESS body) made of the outputs of several workflow steps (fan-in), as parts. */
export const PARTS_CONTENT_TYPE = 'application/vnd.wm.parts';
