import { createInterface } from 'node:readline/promises';
import { type CommandContext } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { paintState } from '../output/terminal';
import { type FilterFlags, filterQuery, hasFilter } from './request-filters';

/** The operations that take one request id or a filter. */
export type Operation = 'retry' | 'cancel' | 'delete';

export interface OperateFlags extends FilterFlags {
  /** Act on the matching requests without asking. @default false (ask on a terminal, refuse otherwise) */
  readonly yes?: boolean;
  /** With cancel: the reason requesters and workers are given. @default the manager's */
  readonly reason?: string;
}

const PAST: Readonly<Record<Operation, string>> = {
  retry: 'retried',
  cancel: 'cancelled',
  delete: 'deleted',
};

/**
 * `wm retry|cancel|delete [ID]`: one request by id, or every request matching the filters. By
 * filter, the manager first counts them (dryRun) and the count is shown; the operation runs only
 * with `--yes` or a "y" at the prompt (a non-interactive run without `--yes` stops, exit 2).
 */
export async function operate(
  context: CommandContext,
  operation: Operation,
  id: string | undefined,
  flags: OperateFlags,
): Promise<ExitCode> {
  const { client, terminal } = context;
  if (id !== undefined) {
    if (hasFilter(flags)) throw new CliError('give a request id or filters, not both', EXIT.usage);
    const path = `/api/v1/requests/${encodeURIComponent(id)}`;
    if (operation === 'delete') {
      await client.delete(path);
      if (terminal.json) terminal.out(JSON.stringify({ id, deleted: true }));
      else terminal.out(`${id}  deleted`);
    } else {
      const answer = await client.post<{ id: string; state: string }>(`${path}/${operation}`);
      if (terminal.json) terminal.out(JSON.stringify(answer));
      else terminal.out(`${answer.id}  ${paintState(terminal, answer.state)}`);
    }
    return EXIT.ok;
  }
  if (!hasFilter(flags)) {
    throw new CliError(
      `${operation} needs a request id or at least one filter (--state, --content-type, …)`,
      EXIT.usage,
    );
  }
  const query = {
    ...filterQuery(flags),
    ...(operation === 'cancel' ? { reason: flags.reason } : {}),
  };
  const run = (dryRun: boolean): Promise<{ count: number; skipped?: number }> =>
    operation === 'delete'
      ? client.delete('/api/v1/requests', { ...query, dryRun })
      : client.post(`/api/v1/requests/${operation}`, undefined, { ...query, dryRun });
  const preview = await run(true);
  if (!flags.yes) {
    if (terminal.json || !process.stdin.isTTY || !process.stderr.isTTY) {
      if (terminal.json)
        terminal.out(JSON.stringify({ operation, matching: preview.count, done: false }));
      else terminal.err(`${preview.count} request(s) would be ${PAST[operation]}`);
      throw new CliError(
        `nothing was ${PAST[operation]}: add --yes to ${operation} ${preview.count} request(s)`,
        EXIT.usage,
      );
    }
    if (preview.count === 0) {
      terminal.out(`no request matches: nothing ${PAST[operation]}`);
      return EXIT.ok;
    }
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    const reply = await prompt.question(`${operation} ${preview.count} request(s)? [y/N] `);
    prompt.close();
    if (!/^y(es)?$/i.test(reply.trim())) {
      terminal.err(`nothing was ${PAST[operation]}`);
      return EXIT.ok;
    }
  }
  const result = await run(false);
  if (terminal.json)
    terminal.out(JSON.stringify({ operation, matching: preview.count, done: true, ...result }));
  else {
    const skipped = result.skipped ? ` (${result.skipped} skipped: they changed meanwhile)` : '';
    terminal.out(`${result.count} request(s) ${PAST[operation]}${skipped}`);
  }
  return EXIT.ok;
}
