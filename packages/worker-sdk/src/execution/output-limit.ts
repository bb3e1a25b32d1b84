import { error, type HandlerResult } from '../handler-result';

/**
 * An output over the payload limit would be refused downstream (the manager applies the same
 * `WM_MAX_PAYLOAD_BYTES` to what workers return), so it ends ERROR here, with the sizes, and is
 * never sent.
 */
export function limitOutput(result: HandlerResult, maxPayloadBytes: number): HandlerResult {
  if (result.status !== 'SUCCESS' || result.body.length <= maxPayloadBytes) return result;
  return error(
    `output of ${result.body.length} bytes is over the ${maxPayloadBytes}-byte limit (maxPayloadBytes, WM_MAX_PAYLOAD_BYTES); it was not sent`,
  );
}
