import { DiagnosticSeverity, Parser } from '@asyncapi/parser';

/**
 * Parses an AsyncAPI document with the official parser (`@asyncapi/parser`, what the AsyncAPI
 * generator and Studio use) and returns its errors and warnings as `path: message`, plus one
 * line when no document could be built. Empty means other people's tools accept it.
 */
export async function asyncApiProblems(text: string): Promise<string[]> {
  const { document, diagnostics } = await new Parser().parse(text);
  const problems = diagnostics
    // Error is 0 and Warning 1; compared as numbers because the parser's diagnostics come typed
    // from another copy of @stoplight/types than the enum it re-exports.
    .filter((diagnostic) => Number(diagnostic.severity) <= Number(DiagnosticSeverity.Warning))
    .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
  if (document === undefined) problems.push('(document): the parser built no document');
  return problems;
}
