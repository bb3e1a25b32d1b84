import { parse } from 'yaml';

/** A token that names a file or folder of the repository: relative, with at least one `/`. */
const PATH_TOKEN = /^(?:\.\/)?[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+\/?$/;
/** Address ranges (`127.0.0.1/32`) look like paths but are not. */
const ADDRESS_RANGE = /^\d+(?:\.\d+){3}\/\d+$/;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/**
 * The repository paths a GitHub Actions workflow refers to: every relative path-like token in
 * its values (`docker/manager.Dockerfile`, `./package.json`, `-f docker/compose.yml`). Left
 * out: URLs, action and package references (`actions/checkout@v4`, `@org/x`), images
 * (`postgres:17-alpine`), absolute paths and anything built from variables (`$cluster/main`).
 */
export function referencedPaths(workflow: string): string[] {
  const found = new Set<string>();
  for (const text of strings(parse(workflow))) {
    for (const raw of text.split(/[\s"'`()=,;|&<>]+/)) {
      const token = raw.replace(/[.:]+$/, '');
      if (token.includes('://') || token.includes('@') || token.includes('$')) continue;
      if (token.includes(':') || ADDRESS_RANGE.test(token)) continue;
      if (PATH_TOKEN.test(token)) found.add(token.replace(/^\.\//, '').replace(/\/$/, ''));
    }
  }
  return [...found].sort();
}
