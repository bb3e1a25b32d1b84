/** One `.dockerignore` rule: a pattern, negated by a leading `!`. */
interface Rule {
  readonly exclude: boolean;
  readonly pattern: RegExp;
}

/** A Docker ignore pattern (Go `filepath.Match` plus `**`) as a regular expression. */
function patternOf(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*';
      i += 1;
      if (glob[i + 1] === '/') i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Parses a `.dockerignore` file: comments and blank lines dropped, paths cleaned as Docker does. */
export function parseDockerignore(text: string): Rule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!');
      const glob = (exclude ? line : line.slice(1)).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { exclude, pattern: patternOf(glob) };
    });
}

/**
 * Whether Docker leaves `path` (relative to the context, `/`-separated) out of the build
 * context: the last rule matching the path or one of its parent folders decides.
 */
export function isDockerIgnored(rules: readonly Rule[], path: string): boolean {
  const segments = path.split('/');
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.pattern.test(candidate))) ignored = rule.exclude;
  }
  return ignored;
}
