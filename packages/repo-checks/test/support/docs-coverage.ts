import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/repo-root';

/**
 * Pure readers of the documents and sources the documentation coverage test compares. Each
 * returns what is missing (or wrong), so a failing assertion names it.
 */

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `name` appears in `markdown` as inline code of its own: `` `name` ``. */
export function mentionsAsCode(markdown: string, name: string): boolean {
  return markdown.includes(`\`${name}\``);
}

/** The names that `markdown` never mentions as inline code. */
export function notMentioned(markdown: string, names: readonly string[]): string[] {
  return names.filter((name) => !mentionsAsCode(markdown, name));
}

/**
 * The rows of the first table under the heading `heading` (e.g. `### Environment`), as cells
 * with their surrounding spaces trimmed; `\|` inside a cell stays in it.
 */
export function tableRows(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) return [];
  const level = heading.split(' ')[0] ?? '#';
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    const hashes = /^(#+) /.exec(line)?.[1];
    if (hashes !== undefined && hashes.length <= level.length) break;
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    const cells = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    rows.push(cells);
  }
  return rows.slice(1); // the header row
}

/** `| \`NAME\` | default | meaning |` rows of an environment table: NAME → its default cell. */
export function environmentDefaults(markdown: string, heading: string): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const [name, defaultCell] of tableRows(markdown, heading)) {
    const variable = /^`([A-Z][A-Z0-9_]*)`$/.exec(name ?? '')?.[1];
    if (variable !== undefined) defaults.set(variable, defaultCell ?? '');
  }
  return defaults;
}

/** Whether a default cell (`` `67108864` (64 MiB) ``) states `value`, digits compared bare. */
export function statesDefault(cell: string, value: number | string): boolean {
  if (typeof value === 'string') return cell.includes(value);
  return cell.replace(/[`,_\s]/g, '').includes(String(value));
}

/**
 * Variable names a source reads: quoted upper-case names in the files that parse the
 * environment, and `env['X']` / `source['X']` / `process.env.X` anywhere.
 */
export function variablesIn(
  environmentFiles: readonly string[],
  otherFiles: readonly string[],
): string[] {
  const names = new Set<string>();
  for (const text of environmentFiles)
    for (const match of text.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)'/g)) names.add(match[1]!);
  for (const text of [...environmentFiles, ...otherFiles]) {
    for (const match of text.matchAll(
      /(?:\benv|\bsource|process\.env)\[\s*'([A-Z][A-Z0-9_]*)'\s*\]|process\.env\.([A-Z][A-Z0-9_]*)/g,
    ))
      names.add((match[1] ?? match[2])!);
  }
  return [...names].sort();
}

/**
 * `field: reader('NAME', …)` pairs of an environment parser (`heartbeatExpiryMs:
 * int('WM_HEARTBEAT_EXPIRY_MS', …)`, `maxBodyBytes: positiveInteger(env, 'WM_MAX_BODY_BYTES', …)`):
 * which field of the parsed settings holds each variable.
 */
export function variableFields(source: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const match of source.matchAll(/(\w+):\s*\w+\(\s*(?:env,\s*)?'([A-Z][A-Z0-9_]*)'/g))
    fields.set(match[2]!, match[1]!);
  return fields;
}

/** `METHOD /path` of every operation of an OpenAPI document. */
export function openApiCalls(document: OpenApiDocument): string[] {
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations)
      .filter((method) => methods.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The calls a README documents: inline code starting with a method (`` `GET /api/v1/x?<filters>` ``). */
export function documentedCalls(markdown: string): Set<string> {
  const calls = new Set<string>();
  for (const match of markdown.matchAll(/`(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS) (\/[^`?\s]*)/g))
    calls.add(`${match[1]} ${match[2]}`);
  return calls;
}

/** A configuration class field: its key, and whether the document must give it (`!`). */
export interface ConfigKey {
  readonly key: string;
  readonly required: boolean;
}

/** The fields of the configuration classes (`  maxInFlight?: number;`, `  type!: string;`). */
export function configKeys(source: string): ConfigKey[] {
  const keys = new Map<string, boolean>();
  for (const match of source.matchAll(/^ {2}(\w+)([?!]?): [^\n;]+;$/gm)) {
    const required = match[2] === '!';
    keys.set(match[1]!, (keys.get(match[1]!) ?? false) || required);
  }
  return [...keys].map(([key, required]) => ({ key, required }));
}

/** The first fenced `yaml` block after `heading`. */
export function yamlBlockAfter(markdown: string, heading: string): string {
  const from = markdown.indexOf(`\n${heading}\n`);
  if (from < 0) return '';
  const block = /```yaml\n([\s\S]*?)```/.exec(markdown.slice(from));
  return block?.[1] ?? '';
}

/**
 * Keys a documented YAML example lacks: every key must appear as `key:`, and an optional one
 * must say its default (or that it is optional) on one of its lines.
 */
export function undocumentedKeys(yaml: string, keys: readonly ConfigKey[]): string[] {
  const lines = yaml.split('\n');
  return keys
    .filter(({ key, required }) => {
      const own = lines.filter((line) => new RegExp(`^\\s*(?:- )?${escape(key)}:`).test(line));
      if (own.length === 0) return true;
      return !required && !own.some((line) => /#.*\b(default|optional)\b/.test(line));
    })
    .map(({ key }) => key);
}

/** Prometheus metric names a source registers (`name: 'wm_…'`). */
export function metricNames(source: string): string[] {
  return [...source.matchAll(/\bname: '(wm_[a-z0-9_]+)'/g)].map((match) => match[1]!);
}

/** Metric names a README never shows as `` `name` `` or `` `name{labels}` ``. */
export function undocumentedMetrics(markdown: string, names: readonly string[]): string[] {
  return names.filter((name) => !new RegExp(`\`${escape(name)}[\`{]`).test(markdown));
}

/** The part of an OpenAPI document the checks read. */
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, unknown>>;
}

/** What the manager builds with no environment set: its OpenAPI document and its settings. */
export interface ManagerBuild {
  readonly document: OpenApiDocument;
  /** `loadEnvironment({})` twice: a field that differs between them is random. */
  readonly environments: readonly [Record<string, unknown>, Record<string, unknown>];
  /** `httpOptionsFromEnv({})`. */
  readonly httpOptions: Record<string, unknown>;
}

/** Runs `manager-openapi.cjs` (see there why in a child process). */
export function buildManager(): Promise<ManagerBuild> {
  const script = join(__dirname, 'manager-openapi.cjs');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout) as ManagerBuild);
      },
    );
  });
}

/**
 * Header names an AsyncAPI document describes: a property of some message's headers, or a
 * name written in a description or summary. The `x-headers` name map does not count: it is
 * generated from the names alone and says nothing about them.
 */
export function asyncApiDescribedHeaders(document: unknown, names: readonly string[]): string[] {
  const properties = new Set<string>();
  const texts: string[] = [];
  const walk = (node: unknown, key: string | undefined): void => {
    if (key === 'x-headers' || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item) => walk(item, undefined));
    for (const [name, value] of Object.entries(node as Record<string, unknown>)) {
      if (typeof value === 'string' && (name === 'description' || name === 'summary'))
        texts.push(value);
      if (key === 'headers' && name === 'properties' && value !== null && typeof value === 'object')
        for (const header of Object.keys(value)) properties.add(header);
      walk(value, name);
    }
  };
  walk(document, undefined);
  return names.filter(
    (name) =>
      properties.has(name) ||
      texts.some((text) => new RegExp(`(^|[^\\w-])${escape(name)}([^\\w-]|$)`).test(text)),
  );
}
