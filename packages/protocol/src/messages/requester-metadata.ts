import { HEADERS } from '../headers';
import { FIELDS, type HeaderReader } from './header-fields';

/** Metadata a requester attaches to a request; every later message about it carries it unchanged. */
export interface RequesterMetadata {
  readonly tenant?: string;
  readonly owner?: string;
  readonly session?: string;
  /** W3C trace context of the requester. */
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export function readRequesterMetadata(reader: HeaderReader): RequesterMetadata {
  return {
    tenant: reader.optional(FIELDS.tenant),
    owner: reader.optional(FIELDS.owner),
    session: reader.optional(FIELDS.session),
    traceparent: reader.optional(FIELDS.traceparent),
    tracestate: reader.optional(FIELDS.tracestate),
  };
}

export function requesterMetadataHeaders(metadata: RequesterMetadata): Record<string, unknown> {
  return {
    [HEADERS.tenant]: metadata.tenant,
    [HEADERS.owner]: metadata.owner,
    [HEADERS.session]: metadata.session,
    [HEADERS.traceparent]: metadata.traceparent,
    [HEADERS.tracestate]: metadata.tracestate,
  };
}
