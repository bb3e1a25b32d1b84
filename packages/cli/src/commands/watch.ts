import { openEventStream } from '../client/event-stream';
import { type CommandContext } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { printEvent } from './submit';

export interface WatchFlags {
  readonly requestId?: string[];
  readonly contentType?: string[];
  readonly state?: string[];
  readonly tenant?: string;
  readonly owner?: string;
  readonly session?: string;
  /** Terminal events only. @default false */
  readonly terminal?: boolean;
  /** Stop after this many events (scripts, tests). @default never */
  readonly count?: string;
}

/**
 * `wm watch`: live events matching the filters, one line each (a JSON line each with --json),
 * until Ctrl-C or `--count` events. "watching" goes to stderr once the stream is bound.
 */
export async function watchEvents(context: CommandContext, flags: WatchFlags): Promise<ExitCode> {
  const count = flags.count === undefined ? Infinity : Number(flags.count);
  if (!(count > 0))
    throw new CliError(`--count must be a positive integer, not "${flags.count}"`, EXIT.usage);
  const stream = await openEventStream(context.client, {
    requestId: flags.requestId,
    contentType: flags.contentType,
    state: flags.state,
    tenant: flags.tenant,
    owner: flags.owner,
    session: flags.session,
    terminal: flags.terminal ? true : undefined,
  });
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    stream.close();
  };
  process.once('SIGINT', stop);
  try {
    await stream.ready;
    context.terminal.err('watching (Ctrl-C to stop)');
    let seen = 0;
    for await (const event of stream.events) {
      printEvent(context.terminal, event);
      if (++seen >= count) return EXIT.ok;
    }
    // Ended by Ctrl-C: done. Ended by the manager (stopping, gone): the watch did not finish.
    if (stopped) return EXIT.ok;
    throw new CliError('the event stream of the manager closed', EXIT.unreachable);
  } finally {
    process.off('SIGINT', stop);
    stream.close();
  }
}
