import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { validateConfig } from '@org/protocol';
import { type CommandContext } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { paint } from '../output/terminal';
import { lineDiff } from '../output/line-diff';

/** `wm config get`: the configuration in effect, as YAML (JSON with --json), its version on stderr. */
export async function configGet(context: CommandContext): Promise<ExitCode> {
  const answer = await context.client.call<unknown>('GET', '/api/v1/config');
  const { terminal } = context;
  if (terminal.json) terminal.out(JSON.stringify(answer.body, null, 2));
  else process.stdout.write(stringify(answer.body));
  const etag = answer.headers.get('etag');
  if (etag && !terminal.json) terminal.err(paint(terminal, 'grey', `version ${etag}`));
  return EXIT.ok;
}

export interface ConfigPutFlags {
  /** Replace only this version (the ETag `wm config get` shows), else refuse. @default any version */
  readonly ifMatch?: string;
}

/** `wm config put FILE`: imports a YAML or JSON configuration, validated whole by the manager. */
export async function configPut(
  context: CommandContext,
  file: string,
  flags: ConfigPutFlags,
): Promise<ExitCode> {
  const document = readDocument(file);
  const answer = await context.client.call<unknown>('PUT', '/api/v1/config', {
    body: document,
    headers: flags.ifMatch ? { 'If-Match': flags.ifMatch } : {},
  });
  const { terminal } = context;
  const etag = answer.headers.get('etag') ?? '';
  if (terminal.json) terminal.out(JSON.stringify({ version: etag, config: answer.body }));
  else terminal.out(`configuration in effect: version ${etag}`);
  return EXIT.ok;
}

/**
 * `wm config diff FILE`: what importing FILE would change, as a line diff of the two documents
 * in canonical YAML. Exit code 0 when they are the same, 9 when they differ (like diff(1)).
 */
export async function configDiff(context: CommandContext, file: string): Promise<ExitCode> {
  const wanted = normalised(file, readDocument(file));
  const current = await context.client.get<unknown>('/api/v1/config');
  const before = stringify(current, { sortMapEntries: true }).trimEnd().split('\n');
  const after = stringify(wanted, { sortMapEntries: true }).trimEnd().split('\n');
  const diff = lineDiff(before, after);
  const changed = diff.some((line) => line.kind !== 'same');
  const { terminal } = context;
  if (terminal.json) {
    terminal.out(
      JSON.stringify({ same: !changed, diff: diff.filter((line) => line.kind !== 'same') }),
    );
  } else if (!changed) {
    terminal.out('no difference');
  } else {
    terminal.out(paint(terminal, 'red', '--- in effect'));
    terminal.out(paint(terminal, 'green', `+++ ${file}`));
    for (const line of diff) {
      if (line.kind === 'removed') terminal.out(paint(terminal, 'red', `-${line.text}`));
      else if (line.kind === 'added') terminal.out(paint(terminal, 'green', `+${line.text}`));
      else terminal.out(` ${line.text}`);
    }
  }
  return changed ? EXIT.differs : EXIT.ok;
}

/**
 * The file as the manager would hold it (defaults filled in, the same validation), so leaving out
 * a default is no difference; an invalid file is refused with its problems, as an import would be.
 */
function normalised(file: string, document: unknown): unknown {
  const result = validateConfig(document);
  if (!result.ok) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path}: ${issue.message}`);
    throw new CliError(`${file} is not a valid configuration: ${issues.join('; ')}`, EXIT.refused);
  }
  return JSON.parse(JSON.stringify(result.value)) as unknown;
}

function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    // YAML is a superset of JSON: one parser reads both.
    return parse(text) as unknown;
  } catch (error) {
    throw new CliError(
      `${file} is neither YAML nor JSON: ${(error as Error).message.split('\n')[0]}`,
      EXIT.usage,
    );
  }
}
