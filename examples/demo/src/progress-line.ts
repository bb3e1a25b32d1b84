import { type EventMessage } from '@org/protocol';

/**
 * One readable line per state change, e.g.
 * `10:42:07  paris-utm31n.tif           RUNNING          step 1/2 file-mover  (file-mover-host-123-ab)`.
 */
export function progressLine(
  event: EventMessage,
  name: string,
  steps: readonly string[],
  now = new Date(),
): string {
  const time = now.toTimeString().slice(0, 8);
  const step =
    event.step === undefined
      ? ''
      : `step ${event.step + 1}/${steps.length} ${event.workerType ?? steps[event.step] ?? ''}`;
  const state = event.state === 'PROGRESS' ? `PROGRESS ${event.progress ?? 0}%` : event.state;
  const worker = event.workerId ? `  (${event.workerId})` : '';
  const why = event.messages.length > 0 ? `  ${event.messages.join('; ')}` : '';
  return `${time}  ${name.padEnd(26)} ${state.padEnd(16)} ${step}${worker}${why}`.trimEnd();
}
