import { randomUUID } from 'node:crypto';
import { openEventStream, type StreamedEvent } from '../client/event-stream';
import { type CommandContext } from '../context';
import { CliError, EXIT, exitCodeOfState, type ExitCode } from '../exit-codes';
import { paint, paintState, type Terminal } from '../output/terminal';
import { ProgressBar } from '../output/progress-bar';
import { fieldsFromFlags, payloadFields, type RequestFlags, type SubmitBody } from './submit-body';

/** What `POST /api/v1/requests` answers for one request. */
export interface Submitted {
  readonly id: string;
  readonly state: string;
  readonly duplicate?: boolean;
  readonly messages?: readonly string[];
}

export interface SubmitFlags extends RequestFlags {
  readonly file?: string;
  readonly wait?: boolean;
}

const TERMINAL = new Set(['SUCCESS', 'ERROR', 'INVALID_CONTENT', 'CANCELLED', 'SKIPPED']);

/** `wm submit`: one request; with `--wait`, its events until it ends, and the exit code of that end. */
export async function submitOne(
  context: CommandContext,
  literal: string | undefined,
  flags: SubmitFlags,
): Promise<ExitCode> {
  const body: SubmitBody = {
    ...fieldsFromFlags(flags),
    ...payloadFields(literal, flags.file, flags.mime),
  };
  if (body.contentType === undefined) {
    throw new CliError(
      '--content-type is required (the business content type that routes the request)',
      EXIT.usage,
    );
  }
  if (!flags.wait) {
    const answer = await context.client.post<Submitted>('/api/v1/requests', body);
    printSubmitted(context.terminal, answer);
    return answer.state === 'SKIPPED' ? EXIT.skipped : EXIT.ok;
  }
  if (body.notify === 'none') {
    throw new CliError('--wait needs events: --notify none sends none', EXIT.usage);
  }
  // The id is ours so the stream can be filtered on it before the request exists: subscribing
  // first means no event can slip between the submit and the subscription.
  body.requestId ??= randomUUID();
  const stream = await openEventStream(context.client, { requestId: [body.requestId] });
  try {
    await stream.ready;
    const answer = await context.client.post<Submitted>('/api/v1/requests', body);
    printSubmitted(context.terminal, answer);
    if (answer.state === 'SKIPPED') return EXIT.skipped;
    const bar = new ProgressBar(context.terminal, answer.id);
    for await (const event of stream.events) {
      if (event.state === 'PROGRESS' && context.terminal.interactive) {
        bar.update(event.progress ?? 0, 100, event.workerType ?? '');
        continue;
      }
      bar.finish();
      printEvent(context.terminal, event);
      if (TERMINAL.has(event.state)) return exitCodeOfState(event.state);
    }
    throw new CliError(
      `the event stream of the manager closed before request ${answer.id} ended; follow it with: wm get ${answer.id}`,
      EXIT.unreachable,
    );
  } finally {
    stream.close();
  }
}

export function printSubmitted(terminal: Terminal, answer: Submitted): void {
  if (terminal.json) {
    terminal.out(JSON.stringify(answer));
    return;
  }
  const reasons = answer.messages?.length ? `  ${answer.messages.join('; ')}` : '';
  const duplicate = answer.duplicate ? paint(terminal, 'grey', ' (already submitted)') : '';
  terminal.out(`${answer.id}  ${paintState(terminal, answer.state)}${duplicate}${reasons}`);
}

/** One event as a line: time, state, where (step, worker), progress, reasons. */
export function printEvent(terminal: Terminal, event: StreamedEvent): void {
  if (terminal.json) {
    terminal.out(JSON.stringify(event));
    return;
  }
  const time = new Date().toISOString().slice(11, 23);
  const parts = [paint(terminal, 'grey', time), event.requestId, paintState(terminal, event.state)];
  if (event.workerType)
    parts.push(`${event.workerType}${event.step === undefined ? '' : ` (step ${event.step})`}`);
  if (event.progress !== undefined) parts.push(`${event.progress}%`);
  if (event.state === 'SUCCESS') parts.push(`${event.outputBytes} bytes of ${event.contentType}`);
  if (event.messages.length > 0) parts.push(event.messages.join('; '));
  terminal.out(parts.join('  '));
}
