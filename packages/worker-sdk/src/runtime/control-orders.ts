import { parseControlOrder, type IncomingMessage } from '@org/protocol';
import { type Logger } from '../logger';

/** What the orders on this instance's control queue act on. */
export interface ControlTargets {
  cancel(
    requestId: string | undefined,
    attempt: number | undefined,
    reason: string | undefined,
  ): void;
  drain(reason: string | undefined): void;
  resume(): void;
}

/**
 * Reads orders from `<ns>.control` (addressed to this instance or to its whole type): `cancel`
 * (a request, optionally one attempt of it), `drain` (take no new jobs), `resume`. An invalid
 * order is logged and ignored: it must not stop the worker.
 */
export function handleControlOrder(
  message: IncomingMessage,
  targets: ControlTargets,
  logger: Logger,
): void {
  const order = parseControlOrder(message);
  if (!order.ok) {
    logger.warn('invalid control order ignored', { problems: order.error.messages() });
    return;
  }
  const { requestId, attempt, reason } = order.value;
  switch (order.value.order) {
    case 'cancel':
      targets.cancel(requestId, attempt, reason);
      break;
    case 'drain':
      targets.drain(reason);
      break;
    case 'resume':
      targets.resume();
      break;
  }
}
