import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The root of the manifests: `deploy/kubernetes`. */
export const MANIFESTS = join(__dirname, '..', '..');

/** Every overlay under `overlays/`. */
export const OVERLAYS = ['dev', 'production'] as const;

/** A rendered Kubernetes object. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string } & Record<
    string,
    unknown
  >;
  readonly [field: string]: unknown;
}

/** The kubectl on PATH, or undefined. */
export function kubectl(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'kubectl'))) return join(dir, 'kubectl');
  }
  return undefined;
}

/** `kubectl kustomize <dir>`, parsed: every object of the overlay. */
export function render(dir: string): KubeObject[] {
  const binary = kubectl();
  if (!binary) throw new Error('kubectl is not installed');
  const output = execFileSync(binary, ['kustomize', dir], {
    encoding: 'utf8',
    // Newer kubectl warns on stderr that `bases` and `patchesStrategicMerge` are deprecated.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(output).map((document) => {
    if (document.errors.length > 0) throw new Error(document.errors.map(String).join('\n'));
    return document.toJS() as KubeObject;
  });
}

/** `Kind/name` of an object, for messages. */
export function idOf(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}
