/**
 * `@org/cli`: `wm`, the worker manager from a terminal, over its REST API.
 *
 * ```sh
 * export WM_URL=http://127.0.0.1:3000 WM_API_KEY=…
 * wm submit --content-type product/raw '{"sku":"A-1"}' --wait   # exit code from the end state
 * wm submit --batch requests.jsonl                              # progress bar and summary
 * wm list --state ERROR && wm retry --state ERROR --yes
 * ```
 *
 * `run(argv)` is the whole program (main.ts calls it); it resolves to the exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { commandContext, type GlobalOptions } from './context';
import { CliError, EXIT, type ExitCode } from './exit-codes';
import { configDiff, configGet, configPut, type ConfigPutFlags } from './commands/config';
import { getRequest } from './commands/get';
import { listRequests, type ListFlags } from './commands/list';
import { operate, type OperateFlags, type Operation } from './commands/operate';
import { collect } from './commands/request-filters';
import { submitOne, type SubmitFlags } from './commands/submit';
import { submitBatch } from './commands/submit-batch';
import { watchEvents, type WatchFlags } from './commands/watch';
import { listWorkers, pauseOrResume } from './commands/workers';

export { EXIT, CliError, type ExitCode } from './exit-codes';

type Action = (command: Command) => Promise<ExitCode>;

/** Builds the command tree; each action stores its exit code in `result`. */
function buildProgram(result: { code: ExitCode }): Command {
  const program = new Command('wm')
    .description('Submit, follow and operate requests of a worker manager over its REST API.')
    .option(
      '--url <url>',
      'manager base URL (env WM_URL, config file "url") [default: http://127.0.0.1:3000]',
    )
    .option(
      '--api-key <key>',
      'API key, sent as a bearer token (env WM_API_KEY, config file "apiKey")',
    )
    .option(
      '--config <file>',
      'JSON config file (env WM_CLI_CONFIG) [default: ~/.config/wm/config.json]',
    )
    .option('--timeout <ms>', 'time limit of one HTTP call (env WM_TIMEOUT_MS) [default: 30000]')
    .option('--json', 'machine-readable JSON output')
    .option('--no-color', 'no colours even on a terminal (NO_COLOR works too)')
    .showHelpAfterError('(wm --help lists the commands and options)')
    .exitOverride();

  const act =
    (action: Action) =>
    async (...args: unknown[]): Promise<void> => {
      result.code = await action(args[args.length - 1] as Command);
    };
  const ctx = (command: Command) => commandContext(command.optsWithGlobals<GlobalOptions>());
  const requestOptions = (command: Command): Command =>
    command
      .option('-t, --content-type <type>', 'business content type that routes the request')
      .option('--mime <type>', 'MIME type of the payload [default: guessed from the file name]')
      .option('--tenant <tenant>', 'requester metadata wm-tenant')
      .option('--owner <owner>', 'requester metadata wm-owner')
      .option('--session <session>', 'requester metadata wm-session')
      .option('-p, --priority <0-9>', 'higher is dispatched first [default: 0]')
      .option('--not-before <time>', 'dispatch no earlier (ISO 8601 or epoch ms)')
      .option('--deadline <time>', 'end ERROR if not started by then (ISO 8601 or epoch ms)')
      .addOption(
        new Option('--notify <mode>', 'events the requester gets [default: all]').choices([
          'all',
          'terminal',
          'none',
        ]),
      )
      .option('--callback-url <url>', 'a webhook: the manager POSTs the end there, signed')
      .addOption(
        new Option(
          '--callback-events <which>',
          'events the webhook gets [default: terminal]',
        ).choices(['terminal', 'all']),
      );
  const filterOptions = (command: Command): Command =>
    command
      .option('-s, --state <state>', 'a state (repeat, or separate with commas)', collect)
      .option('-t, --content-type <type>', 'content type the request was submitted with')
      .option('-w, --worker-type <type>', 'worker type of the current step')
      .option('--workflow <type>', 'workflow type')
      .option('--tenant <tenant>', 'wm-tenant')
      .option('--owner <owner>', 'wm-owner')
      .option('--session <session>', 'wm-session')
      .option('--parent <id>', 'requests submitted by a worker while running this one')
      .option('--created-from <time>', 'created at or after (ISO 8601)')
      .option('--created-to <time>', 'created before (ISO 8601)');

  requestOptions(
    program
      .command('submit [payload]')
      .description(
        'Submit a request: a JSON literal, --file PATH or --file - (stdin); or --batch FILE.jsonl',
      ),
  )
    .option('-f, --file <path>', 'payload bytes from a file, - for stdin')
    .option('--id <requestId>', 'your request id (idempotency) [default: generated]')
    .option('--wait', 'follow the events until the request ends; exit code from its end state')
    .option(
      '--batch <file>',
      'one request body per line (JSON lines); flags fill what a line leaves out',
    )
    .action(
      act(async (command) => {
        const flags = command.opts<SubmitFlags & { batch?: string }>();
        const [payload] = command.args;
        if (flags.batch !== undefined) {
          if (
            payload !== undefined ||
            flags.file !== undefined ||
            flags.wait ||
            flags.id !== undefined
          ) {
            throw new CliError(
              '--batch takes its requests from the file: no payload, --file, --id or --wait',
              EXIT.usage,
            );
          }
          return submitBatch(ctx(command), flags.batch, flags);
        }
        return submitOne(ctx(command), payload, flags);
      }),
    );

  program
    .command('get <id>')
    .description('Show one request: state, step, attempt, messages and history')
    .action(act((command) => getRequest(ctx(command), command.args[0]!)));

  filterOptions(program.command('list').description('List requests matching the filters'))
    .option(
      '--sort <field>',
      'createdAt, updatedAt, priority…; "-" first for newest first [default: -createdAt]',
    )
    .option('-n, --limit <n>', 'rows to show (page size with --all) [default: 50]')
    .option('--all', 'every matching request, page after page')
    .action(act((command) => listRequests(ctx(command), command.opts<ListFlags>())));

  program
    .command('watch')
    .description('Print live events matching the filters until Ctrl-C')
    .option('--request-id <id>', 'a request id (repeat, or separate with commas)', collect)
    .option('-t, --content-type <type>', 'a request content type (repeat)', collect)
    .option('-s, --state <state>', 'an event state (repeat)', collect)
    .option('--tenant <tenant>', 'wm-tenant')
    .option('--owner <owner>', 'wm-owner')
    .option('--session <session>', 'wm-session')
    .option('--terminal', 'terminal events only')
    .option('-c, --count <n>', 'stop after n events')
    .action(act((command) => watchEvents(ctx(command), command.opts<WatchFlags>())));

  const operations: Array<[Operation, string]> = [
    ['retry', 'Retry one request, or every retryable request matching the filters'],
    ['cancel', 'Cancel one live request, or every live request matching the filters'],
    ['delete', 'Delete one request, or every deletable request matching the filters'],
  ];
  for (const [operation, description] of operations) {
    const command = filterOptions(
      program.command(`${operation} [id]`).description(description),
    ).option('-y, --yes', 'act on the matching requests without asking');
    if (operation === 'cancel')
      command.option('--reason <text>', 'reason given to requesters and workers');
    command.action(
      act((cmd) => operate(ctx(cmd), operation, cmd.args[0], cmd.opts<OperateFlags>())),
    );
  }

  program
    .command('workers')
    .description('Worker types: liveness, instances, capacity, backlog, counters')
    .action(act((command) => listWorkers(ctx(command))));

  program
    .command('pause <type>')
    .description('Pause the dispatch of a worker type (every replica; jobs out finish)')
    .option('--reason <text>', 'shown with the waiting requests')
    .action(
      act((command) =>
        pauseOrResume(
          ctx(command),
          'pause',
          command.args[0]!,
          command.opts<{ reason?: string }>().reason,
        ),
      ),
    );
  program
    .command('resume <type>')
    .description('Resume the dispatch of a paused worker type')
    .action(act((command) => pauseOrResume(ctx(command), 'resume', command.args[0]!, undefined)));

  const config = program
    .command('config')
    .description('Export, import and compare the configuration');
  config
    .command('get')
    .description('Print the configuration in effect (YAML; JSON with --json)')
    .action(act((command) => configGet(ctx(command))));
  config
    .command('put <file>')
    .description('Import a YAML or JSON configuration (validated whole)')
    .option('--if-match <etag>', 'only replace this version (as "wm config get" shows it)')
    .action(
      act((command) => configPut(ctx(command), command.args[0]!, command.opts<ConfigPutFlags>())),
    );
  config
    .command('diff <file>')
    .description('Show what importing a file would change; exit 9 when it differs')
    .action(act((command) => configDiff(ctx(command), command.args[0]!)));

  return program;
}

/** Output hooks, so tests and embedders can capture what `wm` writes. @default process streams */
export interface RunOptions {
  readonly writeErr?: (text: string) => void;
}

/** Runs `wm` with `argv` (as process.argv: node, script, args…) and resolves to its exit code. */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<ExitCode> {
  const writeErr = options.writeErr ?? ((text: string) => process.stderr.write(text));
  const result: { code: ExitCode } = { code: EXIT.ok };
  const program = buildProgram(result);
  program.configureOutput({ writeErr });
  try {
    await program.parseAsync([...argv]);
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" that exit 0; the rest is a bad command line.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      writeErr(`wm: ${error.message}\n`);
      return error.code;
    }
    writeErr(`wm: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.internal;
  }
}
