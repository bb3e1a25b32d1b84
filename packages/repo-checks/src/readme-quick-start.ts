/** Languages of the fenced blocks whose lines are shell commands. */
const SHELL_FENCES = new Set(['sh', 'bash', 'shell', 'console']);

/** The section under `heading` (a `## ` title), up to the next heading of the same level. */
export function markdownSection(markdown: string, heading: string): string | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && /^## /.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** A shell line without its trailing comment (a `#` after a space, outside quotes). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/**
 * Every shell command in the fenced `sh` blocks of a Markdown text, in order: comments and
 * blank lines dropped, `\`-continued lines joined, a leading `$ ` prompt removed.
 */
export function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inShell = false;
  let inFence = false;
  let pending = '';
  for (const line of markdown.split('\n')) {
    const fence = /^\s*```(\S*)/.exec(line);
    if (fence) {
      inShell = !inFence && SHELL_FENCES.has(fence[1]!.toLowerCase());
      inFence = !inFence;
      continue;
    }
    if (!inShell) continue;
    const text = withoutComment(line).trim().replace(/^\$ /, '');
    if (text.endsWith('\\')) {
      pending += `${text.slice(0, -1).trim()} `;
      continue;
    }
    const command = `${pending}${text}`.trim();
    pending = '';
    if (command !== '') commands.push(command);
  }
  return commands;
}
