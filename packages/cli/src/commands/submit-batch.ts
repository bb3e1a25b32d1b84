import { readFileSync } from 'node:fs';
import { type CommandContext } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { paint, paintState, table } from '../output/terminal';
import { ProgressBar } from '../output/progress-bar';
import { type Submitted } from './submit';
import { fieldsFromFlags, type RequestFlags, type SubmitBody } from './submit-body';

/** Requests per call: the manager's largest batch (MAX_BATCH_SIZE in its submit DTO). */
export const BATCH_CHUNK = 1000;
/** Calls in flight at once: enough to overlap the network with the manager's intake. */
const CONCURRENCY = 2;

/** What a batch run reports at the end. */
export interface BatchSummary {
  readonly lines: number;
  readonly byState: Record<string, number>;
  duplicates: number;
  /** The reasons requests were skipped, with how many each. */
  readonly skipped: Record<string, number>;
}

/**
 * `wm submit --batch file.jsonl`: every non-blank line is one request body as the REST API takes
 * it (`{"contentType": …, "payload": …}`); flags fill fields a line leaves out. The whole file is
 * parsed first, so a bad line submits nothing; then chunks of {@link BATCH_CHUNK} go as
 * `{ "requests": [...] }` calls, two at a time, with a progress bar and a summary at the end.
 * Exit code 0 when nothing was skipped, 5 when some requests were.
 */
export async function submitBatch(
  context: CommandContext,
  file: string,
  flags: RequestFlags,
): Promise<ExitCode> {
  const requests = readLines(file, fieldsFromFlags({ ...flags, id: undefined }));
  const chunks: SubmitBody[][] = [];
  for (let start = 0; start < requests.length; start += BATCH_CHUNK) {
    chunks.push(requests.slice(start, start + BATCH_CHUNK));
  }
  const summary: BatchSummary = { lines: requests.length, byState: {}, duplicates: 0, skipped: {} };
  const bar = new ProgressBar(context.terminal, 'submitting');
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const index = next++;
      const chunk = chunks[index]!;
      const first = index * BATCH_CHUNK + 1;
      let answer: { requests: Submitted[] };
      try {
        answer = await context.client.post('/api/v1/requests', { requests: chunk });
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        next = chunks.length; // stop the other worker taking more
        throw new CliError(
          `lines ${first}-${first + chunk.length - 1} were refused (requests[i] is line ${first}+i): ${error.message}; ${done} earlier request(s) were submitted`,
          error.code,
        );
      }
      for (const item of answer.requests) {
        summary.byState[item.state] = (summary.byState[item.state] ?? 0) + 1;
        if (item.duplicate) summary.duplicates += 1;
        if (item.state === 'SKIPPED') {
          const reason = item.messages?.join('; ') || 'no reason given';
          summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
        }
      }
      done += chunk.length;
      bar.update(done, requests.length, `${done}/${requests.length}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, chunks.length) }, worker));
  } finally {
    bar.finish();
  }
  printSummary(context, summary);
  return (summary.byState['SKIPPED'] ?? 0) > 0 ? EXIT.skipped : EXIT.ok;
}

function printSummary(context: CommandContext, summary: BatchSummary): void {
  const { terminal } = context;
  if (terminal.json) {
    terminal.out(JSON.stringify(summary));
    return;
  }
  terminal.out(
    `${summary.lines} request(s) submitted${summary.duplicates ? `, ${summary.duplicates} already known` : ''}`,
  );
  const rows = Object.entries(summary.byState)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, count]) => [paintState(terminal, state), String(count)]);
  for (const line of table(terminal, ['STATE', 'COUNT'], rows)) terminal.out(line);
  const reasons = Object.entries(summary.skipped).sort(([, a], [, b]) => b - a);
  for (const [reason, count] of reasons.slice(0, 10)) {
    terminal.out(paint(terminal, 'grey', `skipped ${count}: ${reason}`));
  }
}

/** Parses every line first: a bad one stops the run before anything is submitted. */
function readLines(file: string, defaults: SubmitBody): SubmitBody[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  const requests: SubmitBody[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new CliError(
        `${file} line ${index + 1} is not JSON: ${(error as Error).message}`,
        EXIT.usage,
      );
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new CliError(
        `${file} line ${index + 1} must be a JSON object (one request)`,
        EXIT.usage,
      );
    }
    const request = { ...defaults, ...(value as SubmitBody) };
    if (request.contentType === undefined) {
      throw new CliError(
        `${file} line ${index + 1} has no contentType (nor did --content-type give one)`,
        EXIT.usage,
      );
    }
    requests.push(request);
  });
  if (requests.length === 0) throw new CliError(`${file} holds no request`, EXIT.usage);
  return requests;
}
