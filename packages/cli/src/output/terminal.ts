/**
 * Where human output goes and how it looks: colour only when stdout is a terminal (and neither
 * `NO_COLOR` nor `--no-color` says otherwise), progress bars only when stderr is one, so files
 * and pipes get plain aligned text.
 */
export interface Terminal {
  readonly colour: boolean;
  readonly interactive: boolean;
  /** `--json`: one JSON document (or one JSON line per event) on stdout, nothing else. */
  readonly json: boolean;
  out(line: string): void;
  err(line: string): void;
}

export interface TerminalOptions {
  readonly json: boolean;
  /** false with `--no-color`. @default true */
  readonly color: boolean;
}

export function processTerminal(options: TerminalOptions): Terminal {
  const colour =
    options.color && !options.json && process.stdout.isTTY === true && !process.env['NO_COLOR'];
  return {
    colour,
    interactive: process.stderr.isTTY === true && !options.json,
    json: options.json,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, grey: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(terminal: Terminal, colour: Colour, text: string): string {
  return terminal.colour ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

/** The colour a state is shown in: green done, red failed, yellow waiting, blue under way. */
export function stateColour(state: string): Colour {
  if (state === 'SUCCESS') return 'green';
  if (state === 'ERROR' || state === 'INVALID_CONTENT') return 'red';
  if (state === 'CANCELLED' || state === 'SKIPPED') return 'grey';
  if (['DISPATCHED', 'RUNNING', 'GRANTED', 'PROGRESS'].includes(state)) return 'blue';
  return 'yellow';
}

export function paintState(terminal: Terminal, state: string): string {
  return paint(terminal, stateColour(state), state);
}

/** Visible width of a string that may hold colour codes. */
function width(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** Rows as columns aligned under a header; cells may be coloured. */
export function table(
  terminal: Terminal,
  header: readonly string[],
  rows: readonly string[][],
): string[] {
  const widths = header.map((title, column) =>
    Math.max(width(title), ...rows.map((row) => width(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - width(cell)),
      )
      .join('  ')
      .trimEnd();
  return [paint(terminal, 'bold', line(header)), ...rows.map(line)];
}

/** `key: value` lines with the keys aligned. */
export function fields(terminal: Terminal, entries: ReadonlyArray<[string, string]>): string[] {
  const keyWidth = Math.max(...entries.map(([key]) => key.length));
  return entries.map(
    ([key, value]) => `${paint(terminal, 'grey', `${key}:`.padEnd(keyWidth + 1))} ${value}`,
  );
}
