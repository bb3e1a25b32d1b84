import { posix } from 'node:path';
import { UnsafeArchiveError } from '../errors';

function refuse(reason: string): never {
  throw new UnsafeArchiveError(reason);
}

/**
 * An archive entry's path made relative and normalized, or `UnsafeArchiveError` when it is
 * absolute, climbs with `..`, or hides a NUL. Returns `''` for the archive root itself (`./`).
 * The whole archive is refused rather than the entry skipped: a producer that writes such
 * entries is broken or hostile, and a partial extraction would look like success.
 */
export function safeEntryPath(raw: string): string {
  if (raw.includes('\0')) refuse(`archive entry name contains a NUL byte: ${JSON.stringify(raw)}`);
  const slashed = raw.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) {
    refuse(`archive entry has an absolute path: ${raw}`);
  }
  const parts = slashed.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) refuse(`archive entry escapes the target with "..": ${raw}`);
  return parts.join('/');
}

/**
 * Refuses a link whose target, resolved lexically, lands outside the extraction root. Symbolic
 * link targets are relative to the link's directory; hard link targets (tar) to the archive root.
 * Chains of in-tree links that escape only together are caught after extraction by realpath.
 */
export function assertSafeLinkTarget(
  entryPath: string,
  target: string,
  kind: 'symlink' | 'hardlink',
): void {
  if (target.includes('\0')) refuse(`archive ${kind} ${entryPath} has a target with a NUL byte`);
  const slashed = target.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) {
    refuse(`archive ${kind} ${entryPath} points to an absolute path: ${target}`);
  }
  const base = kind === 'symlink' ? posix.dirname(entryPath) : '.';
  const resolved = posix.normalize(posix.join(base, slashed));
  if (resolved === '..' || resolved.startsWith('../')) {
    refuse(`archive ${kind} ${entryPath} points outside the target: ${target}`);
  }
}
