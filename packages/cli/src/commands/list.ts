import { type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { paint, paintState, table } from '../output/terminal';
import { type FilterFlags, filterQuery } from './request-filters';

interface Summary {
  readonly id: string;
  readonly state: string;
  readonly contentType: string;
  readonly workerType: string;
  readonly step: number;
  readonly steps: readonly string[];
  readonly attempt: number;
  readonly messages: readonly string[];
  readonly createdAt: string;
}

interface Page {
  readonly items: Summary[];
  readonly nextCursor: string | null;
  readonly counts?: { readonly total?: number; readonly byState: Record<string, number> };
}

export interface ListFlags extends FilterFlags {
  readonly sort?: string;
  /** Rows to show; with --all, the page size. @default 50 */
  readonly limit?: string;
  /** Follow the cursor through every page. @default false */
  readonly all?: boolean;
}

/** `wm list`: the requests matching the filters, as a table or (--json) as JSON lines. */
export async function listRequests(context: CommandContext, flags: ListFlags): Promise<ExitCode> {
  const { terminal } = context;
  const limit = flags.limit === undefined ? 50 : Number(flags.limit);
  let cursor: string | undefined;
  const rows: Summary[] = [];
  let counts: Page['counts'];
  do {
    const page = await context.client.get<Page>('/api/v1/requests', {
      ...filterQuery(flags),
      sort: flags.sort,
      limit: flags.all ? Math.min(500, limit) : limit,
      cursor,
      counts: cursor === undefined,
    });
    counts ??= page.counts;
    if (terminal.json) for (const item of page.items) terminal.out(JSON.stringify(item));
    else rows.push(...page.items);
    cursor = flags.all ? (page.nextCursor ?? undefined) : undefined;
  } while (cursor !== undefined);
  if (terminal.json) return EXIT.ok;
  const lines = table(
    terminal,
    ['ID', 'STATE', 'CONTENT TYPE', 'WORKER', 'STEP', 'ATTEMPT', 'CREATED', 'MESSAGES'],
    rows.map((row) => [
      row.id,
      paintState(terminal, row.state),
      row.contentType,
      row.workerType,
      `${row.step + 1}/${row.steps.length}`,
      String(row.attempt),
      row.createdAt,
      row.messages.join('; '),
    ]),
  );
  for (const line of lines) terminal.out(line);
  if (counts) {
    const byState = Object.entries(counts.byState)
      .filter(([, count]) => count > 0)
      .map(([state, count]) => `${state} ${count}`)
      .join(', ');
    terminal.out(
      paint(
        terminal,
        'grey',
        `${rows.length} shown${byState ? `; matching by state: ${byState}` : ''}`,
      ),
    );
  }
  return EXIT.ok;
}
