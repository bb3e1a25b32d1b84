/**
 * A parsed `If-Match` header (RFC 9110 section 13.1.1): `*`, or the entity tags listed. Tags are
 * compared strongly, so a weak tag (`W/"3"`) never matches.
 */
export type IfMatch =
  { readonly any: true } | { readonly any: false; readonly tags: readonly string[] };

/** Parses the header; undefined when it is absent, so the write is unconditional. */
export function parseIfMatch(header: string | readonly string[] | undefined): IfMatch | undefined {
  if (header === undefined) return undefined;
  const value = (typeof header === 'string' ? header : header.join(',')).trim();
  if (value === '') return undefined;
  if (value === '*') return { any: true };
  const tags = [...value.matchAll(/(W\/)?"([^"]*)"/g)]
    .filter((match) => match[1] === undefined)
    .map((match) => `"${match[2]}"`);
  return { any: false, tags };
}

/** Whether the current entity tag satisfies the condition. */
export function ifMatchAllows(condition: IfMatch, currentTag: string): boolean {
  return condition.any || condition.tags.includes(currentTag);
}
