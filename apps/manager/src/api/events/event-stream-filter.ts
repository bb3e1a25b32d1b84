import { type EventMessage, type EventState, isTerminalEventState } from '@org/protocol';

/** Which events one stream receives; every field left out matches everything. */
export interface EventStreamFilter {
  /** Only these requests. @default every request */
  readonly requestIds?: ReadonlySet<string>;
  /** Only requests of these content types (the request's, not an output's). @default every one */
  readonly contentTypes?: ReadonlySet<string>;
  /** Only these event states. @default every state */
  readonly states?: ReadonlySet<EventState>;
  readonly tenant?: string;
  readonly owner?: string;
  readonly session?: string;
  /** Only SUCCESS, ERROR, INVALID_CONTENT, CANCELLED and SKIPPED. @default false */
  readonly terminalOnly?: boolean;
}

export function matchesEventFilter(filter: EventStreamFilter, event: EventMessage): boolean {
  if (filter.requestIds && !filter.requestIds.has(event.requestId)) return false;
  if (filter.contentTypes && !filter.contentTypes.has(event.requestContentType)) return false;
  if (filter.states && !filter.states.has(event.state)) return false;
  if (filter.terminalOnly && !isTerminalEventState(event.state)) return false;
  if (filter.tenant !== undefined && event.tenant !== filter.tenant) return false;
  if (filter.owner !== undefined && event.owner !== filter.owner) return false;
  if (filter.session !== undefined && event.session !== filter.session) return false;
  return true;
}
